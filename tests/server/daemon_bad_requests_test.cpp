// Acceptance (issue 3): bad requests get their documented status and a problem
// body naming what was wrong, and the daemon keeps serving everyone else.
#include <doctest/doctest.h>

#include "parsers/gzip.h"
#include "parsers/snappy.h"
#include "tests/server/daemon_process.h"

namespace faultline::testing {
namespace {

namespace http = boost::beast::http;

struct Case {
  std::string name;
  http::verb method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int status;
  std::string mentions;  // a substring the answer must contain (the limit, field, or accepted types)
};

const char* kConfig = R"(limits:
  max_body: 64KiB
  max_decompressed_body: 128KiB
  max_header: 8KiB
timeouts:
  header: 1s
)";

const char* kGoodEntry =
    R"({"insertId":"a1","logName":"projects/p/logs/run.googleapis.com%2Fstderr","timestamp":"2025-09-16T00:42:35Z",)"
    R"("resource":{"type":"cloud_run_revision","labels":{"service_name":"svc","revision_name":"svc-1"}},)"
    R"("textPayload":"hello"})";

}  // namespace

TEST_CASE("bad requests get precise problems and the daemon keeps serving") {
  TempDir dir;
  write_text(dir.file("faultline.yaml"), kConfig);
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});

  const std::string big(100 * 1024, 'x');
  const std::string bomb = gzip_compress(std::string(1 << 20, '\n'));
  const std::string snappy_bomb = snappy_compress(std::string(1 << 20, '\n'));
  const std::vector<Case> cases = {
      {"malformed JSON", http::verb::post, "/v1/logs", "{not json\n", {{"Content-Type", "application/x-ndjson"}}, 400,
       "errors"},
      {"malformed base64", http::verb::post, "/v1/push/pubsub",
       R"({"message":{"data":"!!!not base64!!!","messageId":"1"},"subscription":"s"})",
       {{"Content-Type", "application/json"}}, 400, "message.data"},
      {"malformed gzip", http::verb::post, "/v1/logs", "this is not gzip",
       {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}}, 400, "gzip"},
      {"oversized body", http::verb::post, "/v1/logs/raw?service=svc", big, {{"Content-Type", "text/plain"}}, 413,
       "limits.max_body"},
      {"gzip bomb", http::verb::post, "/v1/logs", bomb,
       {{"Content-Type", "application/x-ndjson"}, {"Content-Encoding", "gzip"}}, 413, "limits.max_decompressed_body"},
      {"wrong content type", http::verb::post, "/v1/logs", kGoodEntry, {{"Content-Type", "image/png"}}, 415,
       "application/x-ndjson"},
      {"loki protobuf that is not snappy", http::verb::post, "/loki/api/v1/push", "\x0a\x02",
       {{"Content-Type", "application/x-protobuf"}}, 400, "snappy"},
      {"loki snappy bomb", http::verb::post, "/loki/api/v1/push", snappy_bomb, {{"Content-Type", "application/x-protobuf"}},
       413, "limits.max_decompressed_body"},
      {"loki wrong content type", http::verb::post, "/loki/api/v1/push", "x", {{"Content-Type", "image/png"}}, 415,
       "application/x-protobuf"},
      {"unknown encoding", http::verb::post, "/v1/logs", kGoodEntry,
       {{"Content-Type", "application/json"}, {"Content-Encoding", "br"}}, 415, "gzip"},
      {"MessagePack that is not", http::verb::post, "/v1/logs", "\xc1", {{"Content-Type", "application/msgpack"}}, 400,
       "invalid MessagePack at byte 0"},
      {"unknown path", http::verb::get, "/v2/nothing", "", {}, 404, "/v2/nothing"},
      {"wrong method", http::verb::post, "/api/v1/incidents", "{}", {{"Content-Type", "application/json"}}, 405, "GET"},
      {"bad incident id", http::verb::get, "/api/v1/incidents/no%20such%20id!", "", {}, 400, "id"},
      {"unknown incident", http::verb::get, "/api/v1/incidents/0123456789abcdef", "", {}, 404, "0123456789abcdef"},
      {"ack unknown incident", http::verb::post, "/api/v1/incidents/0123456789abcdef/ack", R"({"by":"alice"})",
       {{"Content-Type", "application/json"}}, 404, "0123456789abcdef"},
      {"ack with bad JSON", http::verb::post, "/api/v1/incidents/0123456789abcdef/ack", "{by:",
       {{"Content-Type", "application/json"}}, 400, "JSON"},
      {"bad state filter", http::verb::get, "/api/v1/incidents?state=broken", "", {}, 400, "state"},
      {"bad cursor", http::verb::get, "/api/v1/incidents?cursor=notacursor", "", {}, 400, "cursor"},
      {"broken percent-encoding", http::verb::get, "/api/v1/incidents?service=%zz", "", {}, 400, "target"},
      {"bad limit", http::verb::get, "/api/v1/incidents?limit=0", "", {}, 400, "limit"},
      {"bad mttr window", http::verb::get, "/api/v1/stats/mttr?window=soon", "", {}, 400, "window"},
      {"header too large", http::verb::get, "/healthz", "", {{"X-Padding", std::string(10 * 1024, 'p')}}, 431,
       "limits.max_header"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    HttpResult result = http_request(daemon.port(), c.method, c.target, c.body, c.headers);
    CHECK(result.status == c.status);
    CHECK(result.header("content-type") == "application/problem+json");
    auto problem = result.json();
    REQUIRE_MESSAGE(problem.is_object(), result.body);
    CHECK(problem.value("status", 0) == c.status);
    CHECK(problem.contains("title"));
    CHECK_MESSAGE(result.body.find(c.mentions) != std::string::npos, result.body);
  }

  SUBCASE("one bad record does not lose the good ones") {
    std::string body = std::string(kGoodEntry) + "\n{broken\n";
    HttpResult result = http_post(daemon.port(), "/v1/logs", body, "application/x-ndjson");
    CHECK(result.status == 200);
    CHECK(result.json()["accepted"] == 1);
    REQUIRE(result.json()["rejected"].size() == 1);
    CHECK(result.json()["rejected"][0]["index"] == 1);
  }

  SUBCASE("a client that never finishes its headers is closed while others are served") {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket slow(ioc);
    slow.connect({boost::asio::ip::make_address("127.0.0.1"), daemon.port()});
    boost::asio::write(slow, boost::asio::buffer(std::string("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-")));

    CHECK(http_get(daemon.port(), "/healthz").status == 200);  // served while the slow one hangs

    char byte = 0;
    boost::system::error_code ec;
    size_t n = slow.read_some(boost::asio::buffer(&byte, 1), ec);  // returns when the daemon closes it
    CHECK(n == 0);
    CHECK((ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset));
  }

  CHECK(http_get(daemon.port(), "/healthz").status == 200);
  CHECK(daemon.stop() == 0);
}

}  // namespace faultline::testing
