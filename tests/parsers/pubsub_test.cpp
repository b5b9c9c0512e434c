// Pub/Sub push bodies: what a log sink's push subscription POSTs.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace faultline
