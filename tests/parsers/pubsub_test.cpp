// Pub/Sub push bodies: what a log sink's push subscription POSTs.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "codec/base64.h"
#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

constexpr std::string_view kEntry =
    R"({"insertId":"68c8b27b0c6cdc4006884c44","logName":"projects/p/logs/run.googleapis.com%2Fstderr",)"
    R"("resource":{"type":"cloud_run_revision","labels":{"service_name":"api","revision_name":"api-00001-abc"}},)"
    R"("textPayload":"ModuleNotFoundError: No module named 'x'","timestamp":"2025-09-16T00:42:35.8143Z"})";

std::string push_body(std::string_view data, std::string_view extra_message_fields = "") {
  return R"({"message":{"data":")" + std::string(data) + R"(","attributes":{},"messageId":"9001")" +
         std::string(extra_message_fields) + R"(},"subscription":"projects/p/subscriptions/s"})";
}

TEST_CASE("wrapped push: the LogEntry's insertId is the dedup key, not the messageId") {
  ParseResult result = parse(push_body(base64_encode(kEntry)), InputFormat::pubsub);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  const LogRecord& r = result.records[0];
  CHECK(r.service == "api");
  CHECK(r.revision == "api-00001-abc");
  CHECK(r.stream == "stderr");
  CHECK(r.text == "ModuleNotFoundError: No module named 'x'");
  CHECK(r.source_id == "68c8b27b0c6cdc4006884c44|projects/p/logs/run.googleapis.com%2Fstderr");
}

TEST_CASE(
    "wrapped push: an entry without insertId is keyed by messageId and timed by publishTime") {
  std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"hello"})";
  ParseResult result =
      parse(push_body(base64_encode(entry), R"(,"publishTime":"2025-09-16T00:43:00.5Z")"),
            InputFormat::pubsub);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].source_id == "9001");
  CHECK(result.records[0].time == *parse_rfc3339("2025-09-16T00:43:00.5Z"));
}

TEST_CASE("wrapped push: an entry whose timestamp cannot be read is kept at publishTime, with a warning") {
  std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"hello","timestamp":"16/09/2025 00:42"})";
  ParseResult result =
      parse(push_body(base64_encode(entry), R"(,"publishTime":"2025-09-16T00:43:00.5Z")"), InputFormat::pubsub);
  CHECK(result.errors.empty());
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].time == *parse_rfc3339("2025-09-16T00:43:00.5Z"));
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].field == "message.data.timestamp");
  CHECK(result.warnings[0].message.ends_with("; the record was kept with the message's publishTime"));

  // publishTime itself is Pub/Sub's, always RFC 3339: anything else is refused.
  ParseResult relaxed =
      parse(push_body(base64_encode(entry), R"(,"publishTime":"2025-09-16 00:43:00")"), InputFormat::pubsub);
  CHECK(relaxed.records.empty());
  REQUIRE(relaxed.errors.size() == 1);
  CHECK(relaxed.errors[0].field == "message.publishTime");
}

TEST_CASE("base64 without padding and in the URL-safe alphabet is accepted") {
  std::string encoded = base64_encode(std::string(kEntry) + "  ");  // 2 extra bytes: padding needed
  REQUIRE(encoded.ends_with("="));
  std::string unpadded = encoded.substr(0, encoded.find('='));
  std::string url_safe = encoded;
  for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  for (const std::string& data : {unpadded, url_safe}) {
    ParseResult result = parse(push_body(data), InputFormat::pubsub);
    INFO(all_errors(result));
    CHECK(result.records.size() == 1);
  }
}

TEST_CASE("bad push bodies give 4xx-worthy errors that name message.data") {
  struct Case {
    std::string body;
    std::string field;
    std::string message_start;
  };
  std::string encoded = base64_encode(kEntry);
  std::string bad_char = encoded;
  bad_char[17] = '*';
  std::vector<Case> cases = {
      {push_body(bad_char), "message.data", "invalid base64 at character 17"},
      {push_body(base64_encode("not json at all")), "message.data",
       "decoded data: invalid JSON at byte "},
      {push_body(base64_encode("[1,2]")), "message.data", "expected a JSON object, got array"},
      {push_body(base64_encode("{\"textPayload\":\"caf\xC3\"}")), "message.data",
       "decoded data: invalid UTF-8 at byte 19"},
      {push_body(""), "message.data", "empty"},
      {R"({"message":{"attributes":{},"messageId":"1"},"subscription":"s"})", "message.data",
       "missing"},
      {R"({"message":{"data":17},"subscription":"s"})", "message.data",
       "expected a base64 string, got number"},
      {push_body(base64_encode(R"({"textPayload":5})")), "message.data.textPayload",
       "expected a string, got number"},
      {push_body(base64_encode(kEntry), R"(,"publishTime":"noon")"), "message.publishTime",
       "not an RFC 3339"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    ParseResult result = parse(c.body, InputFormat::pubsub);
    CHECK(result.records.empty());
    CHECK(result.input_records == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].field == c.field);
    CHECK(result.errors[0].message.starts_with(c.message_start));
    CHECK(result.errors[0].index == 0);
    CHECK(result.errors[0].offset == 0);
  }
}

TEST_CASE("describe() gives index, byte, field and message in one line") {
  std::string encoded = base64_encode(kEntry);
  encoded[17] = '!';
  ParseResult result = parse(push_body(encoded), InputFormat::pubsub);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].describe() ==
        "record 0 (byte 0): message.data: invalid base64 at character 17");
}

TEST_CASE("snake_case message fields that push also sends are accepted") {
  std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"hello"})";
  std::string body = R"({"message":{"data":")" + base64_encode(entry) +
                     R"(","message_id":"77","publish_time":"2025-01-01T00:00:00Z"}})";
  ParseResult result = parse(body, InputFormat::pubsub);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].source_id == "77");
  CHECK(result.records[0].time == *parse_rfc3339("2025-01-01T00:00:00Z"));
}

// Good envelopes are read without a DOM of them (parsers/pubsub_ondemand.h);
// these are the envelopes that path hands back, read as before.
TEST_CASE("envelopes off the good path are read as JSON documents: same records, same errors") {
  const std::string good = push_body(base64_encode(kEntry));

  SUBCASE("what follows the envelope is a record of its own, refused where it is") {
    ParseResult result = parse(good + " x", InputFormat::pubsub);
    CHECK(result.records.size() == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 1);
    CHECK(result.errors[0].offset == good.size() + 1);
  }
  SUBCASE("a broken value in a member that is not read is still invalid JSON") {
    std::string body = good;
    body.replace(body.find(R"("projects/p/subscriptions/s")"), 27, "tru");
    ParseResult result = parse(body, InputFormat::pubsub);
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.starts_with("invalid JSON at byte "));
  }
  SUBCASE("a repeated member: the last one counts, as JSON parsers read it") {
    std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"second"})";
    std::string body = push_body(base64_encode(kEntry), R"(,"data":")" + base64_encode(entry) + R"(")");
    ParseResult result = parse(body, InputFormat::pubsub);
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].text == "second");
  }
  SUBCASE("null members count as absent") {
    std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"hello"})";
    std::string body = R"({"message":{"data":")" + base64_encode(entry) +
                       R"(","messageId":null,"message_id":"5","publishTime":null}})";
    ParseResult result = parse(body, InputFormat::pubsub);
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].source_id == "5");
  }
  SUBCASE("envelopes one per line are records 0 and 1, at their own offsets") {
    std::string entry = R"({"logName":"projects/p/logs/x","textPayload":"hello"})";
    std::string second = push_body(base64_encode(entry));
    second.replace(second.find("9001"), 4, "9002");
    ParseResult result = parse(good + "\n" + second + "\n" + push_body("!!!!") + "\n", InputFormat::pubsub);
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[1].source_id == "9002");
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 2);
    CHECK(result.errors[0].offset == good.size() + second.size() + 2);
    CHECK(result.errors[0].message == "invalid base64 at character 0");
  }
  SUBCASE("an envelope after blank space keeps its offset in errors") {
    std::string body = "\n  " + push_body(base64_encode(R"({"textPayload":5})"));
    ParseResult result = parse(body, InputFormat::pubsub);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].offset == 3);
    CHECK(result.errors[0].field == "message.data.textPayload");
  }
}

// The LogEntry in a push is read without a DOM of it when it has the usual
// shape (parsers/log_entry_ondemand.h), and as a JSON document otherwise; either
// way the record is the one the same entry gives as an NDJSON line.
TEST_CASE("a pushed LogEntry of any shape gives the record it gives as an NDJSON line") {
  const std::string head =
      R"({"insertId":"id-1","logName":"projects/p/logs/run.googleapis.com%2Fstderr","timestamp":"2025-09-16T00:42:35.8143Z",)";
  const std::vector<std::string> entries = {
      head + R"("resource":{"type":"cloud_run_revision","labels":{"service_name":"api","revision_name":"api-1"}},)"
             R"("labels":{"instanceId":"i-1"},"severity":"ERROR","textPayload":"boom\n"})",
      head + R"("httpRequest":{"requestMethod":"POST","status":503,"requestUrl":"https://x/y","latency":"1s"}})",
      head + R"("httpRequest":{"status":"404","requestUrl":"https://x/z"},"trace":"t","spanId":"s"})",
      head + R"("text\u0050ayload":"escaped key","resource":{"type":"gce_instance","labels":{"instance_id":"7"}}})",
      head + R"("textPayload":"first","textPayload":"second"})",
      head + R"("textPayload":null,"labels":{"service":"web","other":5,"list":[1,{"a":null}]}})",
      head + R"("severity":500,"textPayload":"numbered severity"})",
      R"({"insertId":"id-2","timestamp":1757983355,"textPayload":"epoch time"})",
      head + R"("resource":{"type":"k8s_pod","labels":{"namespace_name":"ns"}},)"
             R"("jsonPayload":{"reason":"BackOff","involvedObject":{"fieldPath":"spec.containers{web}"}}})",
      head + R"("jsonPayload":{"message":"from json","level":"warn"}})",
      R"({"insertId":"id-3","timestamp":"yesterday","receiveTimestamp":"2025-09-16T00:42:36Z","textPayload":"late"})",
      head + R"("textPayload":"{\"level\":\"error\",\"msg\":\"carried\"}","sourceLocation":{"line":"12"}})",
  };
  for (const std::string& entry : entries) {
    CAPTURE(entry);
    ParseResult want = parse(entry, InputFormat::ndjson);
    INFO(all_errors(want));
    REQUIRE(want.records.size() == 1);
    ParseResult got = parse(push_body(base64_encode(entry)), InputFormat::pubsub);
    INFO(all_errors(got));
    REQUIRE(got.records.size() == 1);
    test::check_same_record(got.records[0], want.records[0]);
    REQUIRE(got.warnings.size() == want.warnings.size());
    for (size_t i = 0; i < got.warnings.size(); ++i)
      CHECK(got.warnings[i].field == "message.data." + want.warnings[i].field);
  }
}

TEST_CASE("a pushed LogEntry with a bad field is refused naming the field inside message.data") {
  const std::string head = R"({"insertId":"id-1","logName":"projects/p/logs/x","timestamp":"2025-09-16T00:42:35Z",)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + R"("httpRequest":{"status":1000}})", "message.data.httpRequest.status"},
      {head + R"("httpRequest":{"status":"5x"}})", "message.data.httpRequest.status"},
      {head + R"("textPayload":7})", "message.data.textPayload"},
      {head + R"("resource":{"type":"cloud_run_revision","labels":{"service_name":["api"]}}})",
       "message.data.resource.labels.service_name"},
      {head + R"("severity":true})", "message.data.severity"},
  };
  for (const auto& [body_entry, field] : cases) {
    const std::string& entry = body_entry;  // a structured binding cannot be captured by CAPTURE's lambda in C++20
    CAPTURE(entry);
    ParseResult result = parse(push_body(base64_encode(entry)), InputFormat::pubsub);
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].field == field);
  }
}

}  // namespace
}  // namespace faultline
