// Malformed input: each bad record is reported where it is, the good records
// beside it are kept, and nothing throws or crashes.
#include <doctest/doctest.h>

#include <random>

#include "parsers/parse.h"
#include "parsers/utf8.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

constexpr std::string_view kGood = R"({"textPayload":"good","timestamp":"2025-09-16T00:42:35Z"})";

TEST_CASE("invalid JSON on NDJSON line 3: index 2, error position re-based to the body") {
  std::string line0(kGood), line1(kGood);
  std::string bad = R"({"textPayload":"x",})";
  std::string body = line0 + "\n" + line1 + "\n" + bad + "\n" + std::string(kGood) + "\n";
  ParseResult result = parse(body);
  CHECK(result.records.size() == 3);
  CHECK(result.input_records == 4);
  REQUIRE(result.errors.size() == 1);
  const RecordError& error = result.errors[0];
  size_t line_offset = line0.size() + 1 + line1.size() + 1;
  CHECK(error.index == 2);
  CHECK(error.offset == line_offset);
  CHECK(error.field.empty());
  // The '}' after the trailing comma is where nlohmann stops.
  std::string where = "invalid JSON at byte " + std::to_string(line_offset + bad.size() - 1) + ": ";
  CHECK(error.message.starts_with(where));
  CHECK(error.message.find("syntax error while parsing object key") != std::string::npos);
  CHECK(error.describe().starts_with("record 2 (byte " + std::to_string(line_offset) +
                                     "): invalid JSON at byte"));
}

TEST_CASE("the bad-input table: every record-level mistake names its field") {
  struct Case {
    std::string line;
    std::string field;
    std::string message_start;
  };
  std::vector<Case> cases = {
      {R"([1,2,3])", "", "expected a JSON object, got array"},
      {R"("just a string")", "", "expected a JSON object, got string"},
      {R"({"textPayload":42})", "textPayload", "expected a string, got number"},
      {R"({"textPayload":"x","resource":"cloud_run_revision"})", "resource",
       "expected an object, got string"},
      {R"({"textPayload":"x","resource":{"type":"cloud_run_revision","labels":{"service_name":7}}})",
       "resource.labels.service_name", "expected a string, got number"},
      {R"({"textPayload":"x","labels":{"instanceId":true}})", "labels.instanceId",
       "expected a string, got boolean"},
      {R"({"jsonPayload":"text"})", "jsonPayload", "expected an object, got string"},
      {R"({"textPayload":"x","severity":{"level":"ERROR"}})", "severity",
       "expected a severity name, got object"},
      {R"({"textPayload":"x","severity":450})", "severity", "not a LogSeverity value: 450"},
      {R"({"httpRequest":{"status":"teapot"}})", "httpRequest.status", "not an HTTP status code"},
      {R"({"textPayload":"x","insertId":12})", "insertId", "expected a string, got number"},
      {R"({"textPayload":"x","n":1e999})", "", "invalid JSON: number overflow parsing '1e999'"},
  };
  std::string body;
  for (const auto& c : cases) body += std::string(kGood) + "\n" + c.line + "\n";
  ParseResult result = parse(body, InputFormat::logentry);
  CHECK(result.records.size() == cases.size());
  REQUIRE(result.errors.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].line);
    CHECK(result.errors[i].index == 2 * i + 1);
    CHECK(result.errors[i].field == cases[i].field);
    CHECK(result.errors[i].message.starts_with(cases[i].message_start));
  }
}

TEST_CASE("a LogEntry time that cannot be read keeps the entry with the next time, and warns naming the field") {
  ParseOptions options;
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  const Timestamp received = *parse_rfc3339("2025-09-16T00:42:36Z");
  ParseResult result = parse(R"({"textPayload":"a","timestamp":"16/09/2025 00:42"})"
                             "\n"
                             R"({"textPayload":"b","timestamp":"16/09/2025 00:42","receiveTimestamp":"2025-09-16T00:42:36Z"})"
                             "\n"
                             R"({"textPayload":"c","receiveTimestamp":"2025-13-01T00:00:00Z"})"
                             "\n"
                             R"({"textPayload":"d","timestamp":1758000000,"receiveTimestamp":"garbage"})"
                             "\n",
                             InputFormat::logentry, options);
  INFO(all_errors(result));
  CHECK(result.errors.empty());
  REQUIRE(result.records.size() == 4);
  CHECK(result.records[0].time == options.arrival);
  CHECK(result.records[1].time == received);
  CHECK(result.records[2].time == options.arrival);
  CHECK(result.records[3].time == *parse_rfc3339("2025-09-16T05:20:00Z"));  // epoch seconds; receiveTimestamp unused
  REQUIRE(result.warnings.size() == 3);
  CHECK(result.warnings[0].index == 0);
  CHECK(result.warnings[0].field == "timestamp");
  CHECK(result.warnings[0].message ==
        "cannot read \"16/09/2025 00:42\" as a time (RFC 3339 or a common log date-time, or a Unix epoch in s, "
        "ms, µs or ns; years 1678..2261); the record was kept with its arrival time");
  CHECK(result.warnings[1].message.ends_with("; the record was kept with its receiveTimestamp"));
  CHECK(result.warnings[2].field == "receiveTimestamp");
  CHECK(result.warnings[2].index == 2);
}

TEST_CASE("invalid UTF-8 inside a JSON string names the exact byte") {
  std::string bad = "{\"textPayload\":\"caf\xC3(\"}";
  std::string body = std::string(kGood) + "\n" + bad + "\n";
  ParseResult result = parse(body);
  CHECK(result.records.size() == 1);
  REQUIRE(result.errors.size() == 1);
  size_t at = kGood.size() + 1 + bad.find('\xC3');
  CHECK(result.errors[0].message == "invalid UTF-8 at byte " + std::to_string(at));
  CHECK(result.errors[0].index == 1);
}

TEST_CASE("text: a line with invalid UTF-8 is rejected by line and byte, the others kept") {
  std::string body = "first line\nsecond \xFF line\nthird line\n";
  ParseResult result = parse(body, InputFormat::text);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "first line");
  CHECK(result.records[1].text == "third line");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].index == 1);
  CHECK(result.errors[0].offset == 11);
  CHECK(result.errors[0].message == "invalid UTF-8 at byte 18 (column 8 of the line)");
}

TEST_CASE("error messages stay valid UTF-8 even when they quote broken input") {
  // nlohmann's own message quotes the raw bytes it last read.
  ParseResult result =
      parse("{\"a\": \xFF\xFE garbage}\n" + std::string(kGood), InputFormat::ndjson);
  REQUIRE(result.errors.size() == 1);
  CHECK(find_invalid_utf8(result.errors[0].message) == std::string::npos);
}

TEST_CASE("a 10 MB line is rejected by max_line_bytes in one pass, its neighbours kept") {
  std::string huge = R"({"textPayload":")" + std::string(10 * 1024 * 1024, 'a') + R"("})";
  std::string body = std::string(kGood) + "\n" + huge + "\n" + std::string(kGood) + "\n";
  for (InputFormat format : {InputFormat::automatic, InputFormat::ndjson, InputFormat::text}) {
    ParseResult result = parse(body, format);
    CHECK(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 1);
    CHECK(result.errors[0].offset == kGood.size() + 1);
    CHECK(result.errors[0].limit == "max_line_bytes");
    CHECK(result.errors[0].message.find("more than max_line_bytes (1048576)") != std::string::npos);
  }
  // The same element inside a JSON array.
  ParseResult array = parse("[" + std::string(kGood) + "," + huge + "," + std::string(kGood) + "]");
  CHECK(array.records.size() == 2);
  REQUIRE(array.errors.size() == 1);
  CHECK(array.errors[0].limit == "max_line_bytes");
  CHECK(array.errors[0].index == 1);
}

TEST_CASE("many short lines ended by bare CRs inside one long LF-terminated line stay linear") {
  // A reader that searched for the next '\n' from every line start would scan the
  // rest of the body once per line: 200k × 0.6 MB.
  std::string body;
  for (int i = 0; i < 100000; ++i) body += "line\r\r";
  body += "\n";
  ParseOptions options;
  options.max_records = 1000000;
  ParseResult result = parse(body, InputFormat::text, options);
  CHECK(result.errors.empty());
  CHECK(result.records.size() == 200000);
}

TEST_CASE("max_records: one error naming the limit, the first records kept") {
  ParseOptions options;
  options.max_records = 3;
  std::string body;
  for (int i = 0; i < 10; ++i) body += std::string(kGood) + "\n";
  for (InputFormat format : {InputFormat::ndjson, InputFormat::text}) {
    ParseResult result = parse(body, format, options);
    CHECK(result.records.size() == 3);
    CHECK(result.input_records == 3);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].limit == "max_records");
    CHECK(result.errors[0].index == 3);
    CHECK(result.errors[0].message.starts_with("more than 3 records"));
  }
}

TEST_CASE("empty and blank bodies give zero records and no error") {
  for (InputFormat format : {InputFormat::automatic, InputFormat::logentry, InputFormat::ndjson,
                             InputFormat::text, InputFormat::pubsub, InputFormat::loki}) {
    ParseResult result = parse("", format);
    CHECK(result.records.empty());
    CHECK(result.errors.empty());
    CHECK(result.input_records == 0);
  }
  ParseResult blank = parse(" \n\r\n\t\n", InputFormat::ndjson);
  CHECK(blank.records.empty());
  CHECK(blank.errors.empty());
}

TEST_CASE("NDJSON: blank lines are skipped but counted in the index, CRLF works") {
  std::string body =
      std::string(kGood) + "\r\n\r\n   \r\n" + R"({"textPayload":5})" + "\r\n" + std::string(kGood);
  ParseResult result = parse(body);
  CHECK(result.records.size() == 2);
  CHECK(result.input_records == 3);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].index == 3);
}

TEST_CASE("text: CRLF, bare CR and LF all end lines, blank lines are kept") {
  ParseResult result = parse("a\r\nb\rc\n\nd", InputFormat::text);
  REQUIRE(result.records.size() == 5);
  CHECK(result.records[0].text == "a");
  CHECK(result.records[1].text == "b");
  CHECK(result.records[2].text == "c");
  CHECK(result.records[3].text.empty());
  CHECK(result.records[4].text == "d");
  CHECK(result.errors.empty());
}

TEST_CASE("JSON array framing errors") {
  SUBCASE("a trailing comma") {
    ParseResult result = parse("[" + std::string(kGood) + ",]");
    CHECK(result.records.size() == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 1);
    CHECK(result.errors[0].message.starts_with("empty JSON array element"));
  }
  SUBCASE("a missing ']' keeps the complete elements") {
    ParseResult result = parse("[" + std::string(kGood) + "," + std::string(kGood));
    CHECK(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.starts_with("unterminated JSON array"));
  }
  SUBCASE("data after the array") {
    ParseResult result = parse("[" + std::string(kGood) + "] trailing");
    CHECK(result.records.size() == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message ==
          "unexpected data after the JSON array at byte " + std::to_string(kGood.size() + 3));
  }
  SUBCASE("a bad element among good ones, with its own offset") {
    std::string bad = R"({"textPayload": nope})";
    std::string body =
        "[\n  " + std::string(kGood) + ",\n  " + bad + ",\n  " + std::string(kGood) + "\n]";
    ParseResult result = parse(body);
    CHECK(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 1);
    CHECK(result.errors[0].offset == body.find(bad));
    // nlohmann stops at the first byte that cannot continue the literal: the 'o'.
    CHECK(result.errors[0].message.starts_with("invalid JSON at byte " +
                                               std::to_string(body.find("nope") + 1) + ": "));
    CHECK(result.errors[0].message.find("invalid literal") != std::string::npos);
  }
  SUBCASE("strings with brackets and escaped quotes do not confuse the splitter") {
    std::string tricky = R"({"textPayload":"a ] b , c } \" [ d"})";
    ParseResult result = parse("[" + tricky + "," + std::string(kGood) + "]");
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[0].text == "a ] b , c } \" [ d");
  }
}

TEST_CASE("nothing throws and nothing crashes on mangled input") {
  std::string seed = test::read_file(std::string(FAULTLINE_CORPUS) +
                                     "/failures/01_seed_netra_monitoring_cascade.ndjson")
                         .substr(0, 6000);
  std::mt19937 random(20250916);
  const std::string alphabet = std::string(
                                   "{}[]\",:\\\n\r \xC3\xFF"
                                   "0a") +
                               '\0';
  for (int round = 0; round < 400; ++round) {
    std::string body = seed;
    int edits = 1 + static_cast<int>(random() % 20);
    for (int e = 0; e < edits; ++e) {
      size_t at = random() % body.size();
      switch (random() % 3) {
        case 0: body[at] = alphabet[random() % alphabet.size()]; break;
        case 1: body.erase(at, random() % 50); break;
        default: body.insert(at, 1, alphabet[random() % alphabet.size()]); break;
      }
      if (body.empty()) body = "{";
    }
    for (InputFormat format : {InputFormat::automatic, InputFormat::logentry, InputFormat::text,
                               InputFormat::pubsub, InputFormat::loki}) {
      ParseResult result;
      CHECK_NOTHROW(result = parse(body, format));
      CHECK(result.records.size() + result.errors.size() >= 1);
      for (const auto& record : result.records)
        CHECK(find_invalid_utf8(record.text) == std::string::npos);
      for (const auto& error : result.errors)
        CHECK(find_invalid_utf8(error.message) == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace faultline
