// Fluent Bit's MessagePack events (its http output's default format), from the
// bodies in tests/corpus/fluentbit/ (built byte by byte per Fluent Bit's
// specification: make_fixtures.py there) and from hostile bytes.
#include <doctest/doctest.h>

#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

std::string fixture(const char* name) {
  return test::read_file(std::filesystem::path(FAULTLINE_CORPUS) / "fluentbit" / name);
}

Timestamp at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

TEST_CASE("Fluent Bit msgpack: 2.1+ events [[EventTime, metadata], record] through the kubernetes filter") {
  ParseResult result = parse(fixture("v2-tail-kubernetes.msgpack"), InputFormat::fluent_msgpack);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 7);
  CHECK(result.input_records == 7);
  const LogRecord& first = result.records[0];
  CHECK(first.service == "orders");
  CHECK(first.instance == "orders-6d5f7c9b8-q2w4e");
  CHECK(first.revision == "6d5f7c9b8");
  CHECK(first.namespace_name == "shop");
  CHECK(first.stream == "stderr");
  CHECK(first.text == "Traceback (most recent call last):");
  // EventTime: big-endian seconds, then nanoseconds.
  CHECK(first.time == at("2025-09-16T05:20:00.12Z"));
  CHECK(result.records[1].time == at("2025-09-16T05:20:00.120001Z"));
  CHECK(result.records[1].text == "  File \"/app/orders/main.py\", line 7, in <module>");
  CHECK(result.records[5].text == "ModuleNotFoundError: No module named 'stripe'");
  CHECK(result.records[6].text == "Container called exit(1).");
  CHECK(result.records[6].time == at("2025-09-16T05:20:01.000005Z"));
  CHECK(result.unknown_service == 0);
}

TEST_CASE("Fluent Bit msgpack: legacy [timestamp, record] with float, integer and EventTime stamps") {
  ParseOptions options;
  options.service = "storefront";
  ParseResult result = parse(fixture("v1-forward-timestamps.msgpack"), InputFormat::fluent_msgpack, options);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].time == at("2025-09-16T05:21:40.25Z"));
  CHECK(result.records[0].text == "Error: Cannot find module 'express'");  // the line's newline is removed
  CHECK(result.records[0].service == "storefront");                        // from ?service=
  CHECK(result.records[1].time == at("2025-09-16T05:21:41Z"));
  CHECK(result.records[2].time == at("2025-09-16T05:21:42Z"));
  CHECK(result.records[2].text == "worker exited with code 1");
  CHECK(result.records[2].severity == "error");
}

TEST_CASE("Fluent Bit msgpack: OpenTelemetry group markers are skipped, not counted") {
  ParseResult result = parse(fixture("otel-groups.msgpack"), InputFormat::fluent_msgpack);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 1);
  CHECK(result.input_records == 1);
  CHECK(result.records[0].service == "billing");
  CHECK(result.records[0].text == "java.lang.OutOfMemoryError: Java heap space");
}

TEST_CASE("Fluent Bit msgpack: each bad event is refused by index, offset and field, the good ones kept") {
  const std::string body = fixture("bad-events.msgpack");
  ParseResult result = parse(body, InputFormat::fluent_msgpack);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "panic: runtime error");
  CHECK(result.records[1].text == "goroutine 1 [running]:");
  REQUIRE(result.errors.size() == 5);
  CHECK(result.input_records == 7);
  const RecordError& not_map = result.errors[0];
  CHECK(not_map.index == 1);
  CHECK(not_map.field == "record");
  CHECK(not_map.message == "expected a map, got string");
  const RecordError& string_time = result.errors[1];
  CHECK(string_time.index == 2);
  CHECK(string_time.field == "timestamp");
  CHECK(string_time.message ==
        "expected integer or float seconds or an EventTime (ext type 0, 8 bytes), got string");
  const RecordError& bad_utf8 = result.errors[2];
  CHECK(bad_utf8.index == 3);
  CHECK(bad_utf8.field == "log");
  CHECK(bad_utf8.message == "invalid UTF-8 at byte 4 of the string");
  const RecordError& no_text = result.errors[3];
  CHECK(no_text.index == 4);
  CHECK(no_text.field == "message");
  const RecordError& cut = result.errors[4];
  CHECK(cut.index == 6);
  CHECK(cut.message.starts_with("truncated MessagePack: the body ends at byte " + std::to_string(body.size())));
  // Offsets point at each event's first byte (an array header).
  for (const RecordError& error : result.errors) {
    REQUIRE(error.offset < body.size());
    CHECK((static_cast<unsigned char>(body[error.offset]) & 0xf0) == 0x90);
  }
  CHECK(result.errors[0].describe().starts_with("record 1 (byte " + std::to_string(result.errors[0].offset) +
                                               "): record: expected a map"));
}

TEST_CASE("Fluent Bit msgpack: the same record as its JSON form gives the same LogRecord") {
  // format json_lines: the event time as "date" (json_date_format double) beside the record.
  const std::string json =
      R"({"date":1758000100.25,"log":"Error: Cannot find module 'express'\n","stream":"stderr"})"
      "\n";
  ParseOptions options;
  options.service = "storefront";
  ParseResult from_json = parse(json, InputFormat::ndjson, options);
  ParseResult from_msgpack = parse(fixture("v1-forward-timestamps.msgpack"), InputFormat::fluent_msgpack, options);
  REQUIRE(from_json.records.size() == 1);
  REQUIRE(from_msgpack.records.size() == 3);
  test::check_same_record(from_msgpack.records[0], from_json.records[0]);
}

TEST_CASE("Fluent Bit msgpack: a time the record names itself wins over the event's") {
  // [1758000000, {"time": "2025-09-16T00:00:00Z", "log": "x"}]
  const std::string body = std::string("\x92\xce\x68\xc8\xff\x80\x82\xa4time\xb4") + "2025-09-16T00:00:00Z" +
                           "\xa3log\xa1x";
  ParseResult result = parse(body, InputFormat::fluent_msgpack);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].time == at("2025-09-16T00:00:00Z"));
}

TEST_CASE("Fluent Bit msgpack: hostile bytes cost what they hold, and say where they went wrong") {
  SUBCASE("an array header claiming 4 billion elements is a truncated body, not an allocation") {
    ParseResult result = parse(std::string("\xdd\xff\xff\xff\xff\x01", 6), InputFormat::fluent_msgpack);
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message == "truncated MessagePack: the body ends at byte 6, inside the value that starts at byte 0");
  }
  SUBCASE("a string claiming 4 GiB likewise") {
    ParseResult result = parse(std::string("\x92\x01\x81\xa3log\xdb\xff\xff\xff\xff" "abc"), InputFormat::fluent_msgpack);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.starts_with("truncated MessagePack"));
  }
  SUBCASE("nesting deeper than 100 levels") {
    ParseResult result = parse(std::string(100000, '\x91'), InputFormat::fluent_msgpack);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message == "MessagePack nested deeper than 100 levels");
  }
  SUBCASE("a byte no value starts with: the events before it are kept") {
    // [1, {"log": "a"}] then 0xc1.
    const std::string body = std::string("\x92\x01\x81\xa3log\xa1" "a") + "\xc1\x92";
    ParseResult result = parse(body, InputFormat::fluent_msgpack);
    REQUIRE(result.records.size() == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 1);
    CHECK(result.errors[0].offset == 9);
    CHECK(result.errors[0].message == "invalid MessagePack at byte 9: no value starts with 0xc1");
  }
  SUBCASE("a map key that is not a string, a negative timestamp, an event of three") {
    const std::string body = std::string("\x92\x01\x81\x07\xa1x", 6) + std::string("\x92\xff\x81\xa3log\xa1y", 9) +
                             std::string("\x93\x01\x80\x80", 4);
    ParseResult result = parse(body, InputFormat::fluent_msgpack);
    REQUIRE(result.errors.size() == 3);
    CHECK(result.errors[0].describe() == "record 0 (byte 0): record: a map key is a number, expected a string");
    CHECK(result.errors[1].message ==
          "expected integer or float seconds or an EventTime (ext type 0, 8 bytes), got a negative integer");
    CHECK(result.errors[2].describe() ==
          "record 2 (byte 15): expected an event [timestamp, record] or [[timestamp, metadata], record], got an "
          "array of 3 elements");
  }
  SUBCASE("an event over max_line_bytes is refused alone, by the limit") {
    ParseOptions options;
    options.max_line_bytes = 64;
    const std::string big = std::string("\x92\x01\x81\xa3log\xd9\x64") + std::string(100, 'x');
    const std::string small = std::string("\x92\x02\x81\xa3log\xa2ok", 10);
    ParseResult result = parse(big + small, InputFormat::fluent_msgpack, options);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].text == "ok");
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].limit == "max_line_bytes");
    CHECK(result.errors[0].message == "the event is 109 bytes, more than max_line_bytes (64)");
  }
  SUBCASE("max_records stops the body") {
    ParseOptions options;
    options.max_records = 3;
    std::string body;
    for (int i = 0; i < 5; ++i) body += std::string("\x92\x01\x81\xa3log\xa1x", 9);
    ParseResult result = parse(body, InputFormat::fluent_msgpack, options);
    CHECK(result.records.size() == 3);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].limit == "max_records");
  }
}

TEST_CASE("records that name no service are filed under \"unknown\" and counted") {
  ParseResult result = parse("{\"message\":\"Error: boom\"}\n{\"service\":\"api\",\"message\":\"ok\"}\n",
                             InputFormat::ndjson);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].service == "unknown");
  CHECK(result.records[1].service == "api");
  CHECK(result.unknown_service == 1);
  ParseOptions options;
  options.service = "checkout";
  result = parse("Error: boom\n", InputFormat::text, options);
  CHECK(result.records[0].service == "checkout");
  CHECK(result.unknown_service == 0);
}

}  // namespace
}  // namespace faultline
