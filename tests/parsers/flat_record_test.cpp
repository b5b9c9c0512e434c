// Flat records as shippers send them to /v1/logs (Fluent Bit json_lines, Vector
// ndjson, Docker json-file lines).
#include <doctest/doctest.h>

#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

TEST_CASE("flat NDJSON records with the documented field names") {
  ParseOptions options;
  options.service = "default-service";
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  std::string body =
      R"({"time":"2025-09-16T00:42:35.8143Z","service":"api","revision":"api-00007-abc","instance":"i-1","stream":"stderr","severity":"ERROR","message":"ModuleNotFoundError: No module named 'x'"})"
      "\n"
      R"({"timestamp":"2025-09-16T00:42:36Z","level":"warn","msg":"slow request"})"
      "\n"
      R"({"ts":1758000000.25,"log":"docker line\n","stream":"stdout"})"
      "\n"
      R"({"message":"no time at all"})"
      "\n";
  ParseResult result = parse(body, InputFormat::ndjson, options);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 4);

  const LogRecord& full = result.records[0];
  CHECK(full.time == *parse_rfc3339("2025-09-16T00:42:35.8143Z"));
  CHECK(full.service == "api");
  CHECK(full.revision == "api-00007-abc");
  CHECK(full.instance == "i-1");
  CHECK(full.stream == "stderr");
  CHECK(full.severity == "ERROR");
  CHECK(full.text == "ModuleNotFoundError: No module named 'x'");
  CHECK(full.resource_type.empty());
  CHECK(full.source_id.empty());

  CHECK(result.records[1].severity == "warn");
  CHECK(result.records[1].text == "slow request");
  CHECK(result.records[1].service == "default-service");

  CHECK(result.records[2].time == *parse_rfc3339("2025-09-16T05:20:00.25Z"));
  CHECK(result.records[2].text == "docker line");
  CHECK(result.records[2].stream == "stdout");

  CHECK(result.records[3].time == options.arrival);
}

TEST_CASE("epoch times in seconds, milliseconds, microseconds and nanoseconds") {
  Timestamp want = *parse_rfc3339("2025-09-16T05:20:00.123Z");
  for (std::string_view value :
       {"1758000000.123", "1758000000123", "1758000000123000", "1758000000123000000"}) {
    CAPTURE(value);
    ParseResult result =
        parse(R"({"date":)" + std::string(value) + R"(,"message":"m"})", InputFormat::ndjson);
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].time == want);
  }
}

TEST_CASE("Fluent Bit kubernetes metadata fills service, instance, namespace and revision") {
  ParseResult result = parse(
      R"({"log":"Error: Cannot find module 'express'\n","stream":"stderr","time":"2025-10-01T10:00:00Z",
          "kubernetes":{"pod_name":"web-7d4b9c8f6d-x2x9z","namespace_name":"shop","container_name":"web",
                        "labels":{"app":"web","pod-template-hash":"7d4b9c8f6d"}}})",
      InputFormat::ndjson);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  const LogRecord& r = result.records[0];
  CHECK(r.service == "web");
  CHECK(r.instance == "web-7d4b9c8f6d-x2x9z");
  CHECK(r.namespace_name == "shop");
  CHECK(r.revision == "7d4b9c8f6d");
  CHECK(r.text == "Error: Cannot find module 'express'");
}

TEST_CASE("pino numeric levels become severity names") {
  ParseResult result = parse(R"({"level":50,"msg":"boom"})", InputFormat::ndjson);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].severity == "ERROR");
}

TEST_CASE("LogEntry and flat objects can share one body") {
  ParseResult result = parse(
      R"({"textPayload":"from an entry","resource":{"type":"cloud_run_revision","labels":{"service_name":"a"}}})"
      "\n"
      R"({"service":"b","message":"from a shipper"})",
      InputFormat::ndjson);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].service == "a");
  CHECK(result.records[1].service == "b");
}

TEST_CASE("a flat object without text, or with fields of the wrong type, is rejected by name") {
  ParseResult result = parse(R"({"service":"api"})"
                             "\n"
                             R"({"message":42})"
                             "\n"
                             R"({"service":["a"],"message":"x"})"
                             "\n"
                             R"({"message":"fine"})",
                             InputFormat::ndjson);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "fine");
  REQUIRE(result.errors.size() == 3);
  CHECK(result.errors[0].field == "message");
  CHECK(result.errors[0].message.starts_with("missing"));
  CHECK(result.errors[1].field == "message");
  CHECK(result.errors[1].message == "expected a string, got number");
  CHECK(result.errors[2].field == "service");
}

TEST_CASE("the time formats shippers write: space for T, no zone meaning UTC, fractions, epochs in any unit") {
  const Timestamp want = *parse_rfc3339("2017-08-15T18:10:12Z");
  const Timestamp want_ms = *parse_rfc3339("2017-08-15T18:10:12.345Z");
  const std::vector<std::pair<std::string, Timestamp>> cases = {
      {R"("time":"2017-08-15 18:10:12")", want},
      {R"("time":"2017-08-15T18:10:12")", want},
      {R"("time":"2017-08-15 18:10:12 UTC")", want},
      {R"("time":"2017-08-15 20:10:12,000 CEST")", want},
      {R"("ts":"2017-08-15 18:10:12.345")", want_ms},
      {R"("@timestamp":"2017-08-15T18:10:12.345Z")", want_ms},
      {R"("timestamp":"2017-08-15T20:10:12+0200")", want},
      {R"("time":1502820612)", want},
      {R"("time":"1502820612")", want},
      {R"("time":"1502820612.345")", want_ms},
      {R"("ts":1502820612345)", want_ms},
      {R"("ts":"1502820612345")", want_ms},
      {R"("time":"1502820612345000")", want_ms},
      {R"("time":1502820612345000000)", want_ms},
      {R"("time":"1502820612345000000")", want_ms},
      {R"("time":{"$date":"2017-08-15T18:10:12.345Z"})", want_ms},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first);
    ParseResult result = parse("{" + c.first + R"(,"message":"m"})", InputFormat::ndjson);
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].time == c.second);
    CHECK(result.warnings.empty());
  }
}

TEST_CASE("a flat record whose time cannot be read is kept with its arrival time, and the field is reported") {
  ParseOptions options;
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  ParseResult result = parse(R"({"time":"yesterday","message":"ModuleNotFoundError: No module named 'x'"})"
                             "\n"
                             R"({"time":true,"message":"b"})"
                             "\n"
                             R"({"ts":-5,"message":"c"})"
                             "\n"
                             R"({"time":"5000-10-05 07:30:00","message":"d"})"
                             "\n",
                             InputFormat::ndjson, options);
  CHECK(result.errors.empty());
  REQUIRE(result.records.size() == 4);
  for (const LogRecord& record : result.records) CHECK(record.time == options.arrival);
  CHECK(result.records[0].text == "ModuleNotFoundError: No module named 'x'");
  REQUIRE(result.warnings.size() == 4);
  CHECK(result.warnings[0].describe() ==
        "record 0 (byte 0): time: cannot read \"yesterday\" as a time (RFC 3339 or a common log date-time, or a "
        "Unix epoch in s, ms, µs or ns; years 1678..2261); the record was kept with its arrival time");
  CHECK(result.warnings[1].message.starts_with("cannot read a boolean as a time"));
  CHECK(result.warnings[2].field == "ts");
  CHECK(result.warnings[2].message.starts_with("cannot read the number -5 as a time"));
  CHECK(result.warnings[3].index == 3);
}

TEST_CASE("an unreadable flat time gives way to the time of the application record in its text") {
  ParseOptions options;
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  ParseResult result = parse(
      R"({"time":"n/a","log":"{\"level\":50,\"time\":1502820612345,\"msg\":\"Cannot find module 'x'\"}\n"})",
      InputFormat::ndjson, options);
  CHECK(result.errors.empty());
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "Cannot find module 'x'");
  CHECK(result.records[0].time == *parse_rfc3339("2017-08-15T18:10:12.345Z"));
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].message.ends_with("; the record was kept with the time of the record in its text"));
}

}  // namespace
}  // namespace faultline
