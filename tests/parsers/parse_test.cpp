// Format names and automatic detection: which reader a body goes to.
#include "parsers/parse.h"

#include <doctest/doctest.h>

#include "codec/base64.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

TEST_CASE("format names") {
  InputFormat format = InputFormat::text;
  CHECK(parse_input_format("auto", format));
  CHECK(format == InputFormat::automatic);
  CHECK(parse_input_format("logentry", format));
  CHECK(format == InputFormat::logentry);
  CHECK(parse_input_format("ndjson", format));
  CHECK(parse_input_format("text", format));
  CHECK(parse_input_format("pubsub", format));
  CHECK(parse_input_format("loki", format));
  CHECK(format == InputFormat::loki);
  CHECK_FALSE(parse_input_format("json", format));
  CHECK_FALSE(parse_input_format("", format));
}

TEST_CASE("automatic: log lines that start with a bracket are text") {
  ParseResult apache = parse(
      "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n"
      "[Sun Dec 04 04:47:45 2005] [notice] jk2_init() Found child 6725\n");
  INFO(all_errors(apache));
  REQUIRE(apache.records.size() == 2);
  CHECK(apache.errors.empty());
  // The leading timestamp is read into the record's time, the rest is the line.
  CHECK(apache.records[0].text == "[error] mod_jk child workerEnv in error state 6");
  CHECK(apache.records[0].time == *parse_rfc3339("2005-12-04T04:47:44Z"));
  CHECK(apache.records[0].app_level == "ERROR");
  ParseResult gunicorn = parse("[2025-09-16 00:42:34 +0000] [1] [INFO] Starting gunicorn 23.0.0");
  CHECK(gunicorn.records.size() == 1);
  ParseResult braces = parse("{main} worker started");
  CHECK(braces.records.size() == 1);
  CHECK(braces.records[0].text == "{main} worker started");
}

TEST_CASE("automatic: a pretty-printed single LogEntry is one document") {
  std::string body =
      "{\n  \"textPayload\": \"one\",\n  \"timestamp\": \"2025-01-01T00:00:00Z\"\n}\n";
  ParseResult result = parse(body);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "one");
}

TEST_CASE("several pretty-printed documents one after another (jq . output) are one record each") {
  std::string first = "{\n  \"textPayload\": \"one\"\n}";
  std::string second = "{\n  \"textPayload\": 2\n}";
  std::string third = "{\n  \"textPayload\": \"three\"\n}";
  std::string body = first + "\n" + second + "\n" + third + "\n";
  ParseResult result = parse(body);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "one");
  CHECK(result.records[1].text == "three");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].index == 1);
  CHECK(result.errors[0].offset == first.size() + 1);
  CHECK(result.errors[0].field == "textPayload");
}

TEST_CASE("NDJSON whose first line is broken still yields the lines after it") {
  std::string good = R"({"textPayload":"good"})";
  for (std::string broken : {std::string(R"({"textPayload":"x","a":[1,2})"),
                             std::string(R"({"textPayload":"cut sho)")}) {
    CAPTURE(broken);
    std::string body = broken + "\n" + good + "\n" + good + "\n";
    ParseResult result = parse(body);
    CHECK(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 0);
    CHECK(result.errors[0].offset == 0);
  }
}

TEST_CASE("NDJSON lines keep their body line numbers after leading blank lines") {
  ParseResult result = parse(
      "\n\n"
      R"({"textPayload":5})"
      "\n"
      R"({"textPayload":"ok"})");
  CHECK(result.records.size() == 1);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].index == 2);
  CHECK(result.errors[0].offset == 2);
}

TEST_CASE("automatic: an empty JSON array and an empty object") {
  CHECK(parse("[]").records.empty());
  CHECK(parse("[]").errors.empty());
  ParseResult object = parse("{}");
  REQUIRE(object.errors.size() == 1);  // a flat record without text
  CHECK(object.errors[0].field == "message");
}

TEST_CASE("automatic: a Pub/Sub envelope and a Loki push are recognised by shape") {
  std::string entry = R"({"textPayload":"via pubsub","insertId":"i"})";
  ParseResult pubsub =
      parse(R"({"message":{"data":")" + base64_encode(entry) + R"(","messageId":"1"}})");
  INFO(all_errors(pubsub));
  REQUIRE(pubsub.records.size() == 1);
  CHECK(pubsub.records[0].text == "via pubsub");
  ParseResult loki = parse(R"({"streams":[{"stream":{"app":"a"},"values":[["1","via loki"]]}]})");
  REQUIRE(loki.records.size() == 1);
  CHECK(loki.records[0].text == "via loki");
}

TEST_CASE("a UTF-8 byte order mark is skipped") {
  ParseResult json = parse(
      "\xEF\xBB\xBF"
      R"({"message":"after a BOM"})");
  REQUIRE(json.records.size() == 1);
  CHECK(json.records[0].text == "after a BOM");
  ParseResult text = parse("\xEF\xBB\xBFplain", InputFormat::text);
  REQUIRE(text.records.size() == 1);
  CHECK(text.records[0].text == "plain");
}

TEST_CASE("text records take the caller's names and arrival time") {
  ParseOptions options;
  options.service = "svc";
  options.revision = "svc-00002-xyz";
  options.instance = "host-1";
  options.arrival = *parse_rfc3339("2025-09-16T00:00:00Z");
  ParseResult result = parse("Container called exit(3).", InputFormat::text, options);
  REQUIRE(result.records.size() == 1);
  const LogRecord& r = result.records[0];
  CHECK(r.service == "svc");
  CHECK(r.revision == "svc-00002-xyz");
  CHECK(r.instance == "host-1");
  CHECK(r.time == options.arrival);
  CHECK(r.stream.empty());
  CHECK(r.severity.empty());
  CHECK(r.source_id.empty());
}

TEST_CASE("explicit logentry format on a text body reports each line as invalid JSON") {
  ParseResult result = parse("hello\nworld\n", InputFormat::logentry);
  CHECK(result.records.empty());
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[1].index == 1);
  CHECK(result.errors[1].offset == 6);
  CHECK(result.errors[1].message.starts_with("invalid JSON at byte 6"));
}

}  // namespace
}  // namespace faultline
