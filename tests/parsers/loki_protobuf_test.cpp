// Loki push protobuf (parsers/loki_protobuf.h): a body captured from npm's
// winston-loki, bodies built field by field, the same records as the JSON push,
// and each malformation rejected by its path with its neighbours kept.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/protobuf_wire.h"
#include "parsers/parse.h"
#include "parsers/snappy.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using protobuf::WireWriter;
using test::all_errors;
using test::parse;
using namespace std::string_literals;

std::string timestamp(int64_t seconds, int32_t nanos) {
  WireWriter out;
  if (seconds != 0) out.varint_field(1, static_cast<uint64_t>(seconds));
  if (nanos != 0) out.varint_field(2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  return out.take();
}

std::string entry(int64_t seconds, int32_t nanos, std::string_view line) {
  WireWriter out;
  out.bytes_field(1, timestamp(seconds, nanos));
  if (!line.empty()) out.bytes_field(2, line);  // proto3 leaves an empty string out
  return out.take();
}

std::string stream(std::string_view labels, const std::vector<std::string>& entries) {
  WireWriter out;
  out.bytes_field(1, labels);
  for (const std::string& e : entries) out.bytes_field(2, e);
  return out.take();
}

std::string push(const std::vector<std::string>& streams) {
  WireWriter out;
  for (const std::string& s : streams) out.bytes_field(1, s);
  return out.take();
}

ParseResult parse_protobuf(std::string_view message, const ParseOptions& options = {}) {
  return parse(message, InputFormat::loki_protobuf, options);
}

TEST_CASE("Loki protobuf: winston-loki's body of the seed cascade reads as the scenario's entries") {
  const std::string body = test::read_file(std::string(FAULTLINE_CORPUS) + "/loki/winston-loki-6.1.7.seed-cascade.snappy");
  UnsnappyResult message = unsnappy(body, 1 << 20);
  REQUIRE_MESSAGE(message.status == UnsnappyStatus::ok, message.error);
  ParseResult result = parse_protobuf(message.data);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());

  const auto scenario = test::ndjson_lines(
      test::read_file(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson"));
  REQUIRE(result.records.size() == scenario.size());
  CHECK(result.input_records == scenario.size());

  // Every entry of the scenario comes back once: its message (winston-loki adds
  // a space and the JSON of winston's other fields), its time to the
  // millisecond, its labels.
  std::vector<std::string> want, got;
  for (const std::string& line : scenario) {
    auto e = nlohmann::json::parse(line);
    Timestamp time = *parse_rfc3339(e["timestamp"].get<std::string>());
    time = std::chrono::floor<std::chrono::milliseconds>(time);
    std::string message = e.contains("textPayload") ? e["textPayload"] : e["jsonPayload"]["message"];
    want.push_back(message + "|" + format_rfc3339(time) + "|" +
                   e["resource"]["labels"]["revision_name"].get<std::string>());
  }
  for (const LogRecord& r : result.records) {
    CHECK(r.service == "netra-backend-staging");  // service_name before app
    CHECK((r.instance.size() == 16 || r.instance == "none"));
    CHECK((r.severity == "info" || r.severity == "warn" || r.severity == "error"));
    const size_t meta = r.text.rfind(" {\"level\":\"" + r.severity + "\"");
    REQUIRE(meta != std::string::npos);
    got.push_back(r.text.substr(0, meta) + "|" + format_rfc3339(r.time) + "|" + r.revision);
  }
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  CHECK(got == want);

  const LogRecord& first = result.records.front();
  CHECK(first.severity == "info");
  CHECK(first.revision == "netra-backend-staging-00734-fvm");
  CHECK(first.text.starts_with("Starting new instance. Reason: MANUAL_OR_CUSTOMER_MIN_INSTANCE"));
}

TEST_CASE("Loki protobuf: the same records as the JSON push of the same streams") {
  const std::string pino = R"json({"level":50,"time":1758000000500,"msg":"request failed","err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.7:5432","stack":"Error: connect ECONNREFUSED 10.0.0.7:5432\n    at TCPConnectWrap.afterConnect (node:net:1595:16)"}})json";
  const std::string body = push({
      stream(R"({app="checkout", namespace="shop", pod="checkout-5d9f-abcde", stream="stderr", level="error", cluster="eu-1"})",
             {entry(1758000000, 123456789, "Traceback (most recent call last):\n"),
              entry(1758000000, 223456789, "ModuleNotFoundError: No module named 'x'"), entry(1758000000, 500000000, pino)}),
      stream(R"({job="shop/orders", instance="node-1", revision="r7"})", {entry(1758000001, 0, "kernel: oom-kill")}),
      stream(R"({container_name="/web-1", compose_service="web", host="docker-host"})",
             {entry(1758000002, 0, "ERROR worker crashed")}),
  });
  using Json = nlohmann::json;
  auto value = [](const char* ns, const std::string& line) { return Json::array({ns, line}); };
  Json json = {{"streams", Json::array({
      {{"stream", {{"app", "checkout"}, {"namespace", "shop"}, {"pod", "checkout-5d9f-abcde"}, {"stream", "stderr"},
                   {"level", "error"}, {"cluster", "eu-1"}}},
       {"values", Json::array({value("1758000000123456789", "Traceback (most recent call last):\n"),
                               value("1758000000223456789", "ModuleNotFoundError: No module named 'x'"),
                               value("1758000000500000000", pino)})}},
      {{"stream", {{"job", "shop/orders"}, {"instance", "node-1"}, {"revision", "r7"}}},
       {"values", Json::array({value("1758000001000000000", "kernel: oom-kill")})}},
      {{"stream", {{"container_name", "/web-1"}, {"compose_service", "web"}, {"host", "docker-host"}}},
       {"values", Json::array({value("1758000002000000000", "ERROR worker crashed")})}},
  })}};

  ParseResult binary = parse_protobuf(body);
  ParseResult text = parse(json.dump(), InputFormat::loki);
  INFO(all_errors(binary), all_errors(text));
  REQUIRE(binary.errors.empty());
  REQUIRE(text.errors.empty());
  REQUIRE(binary.records.size() == 5);
  REQUIRE(text.records.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    test::check_same_record(binary.records[i], text.records[i]);
  }

  const auto& r = binary.records;
  CHECK(r[0].service == "checkout");
  CHECK(r[0].instance == "checkout-5d9f-abcde");
  CHECK(r[0].namespace_name == "shop");
  CHECK(r[0].cluster == "eu-1");
  CHECK(r[0].stream == "stderr");
  CHECK(r[0].severity == "error");
  CHECK(r[0].text == "Traceback (most recent call last):");
  CHECK(r[0].time == *parse_rfc3339("2025-09-16T05:20:00.123456789Z"));
  // An application's JSON record: its message, then its error's stack; its level.
  CHECK(r[2].text.starts_with("request failed\nError: connect ECONNREFUSED 10.0.0.7:5432\n    at TCPConnectWrap"));
  CHECK(r[2].app_level == "ERROR");
  // Promtail's Kubernetes job is namespace/app.
  CHECK(r[3].service == "orders");
  CHECK(r[3].instance == "node-1");
  CHECK(r[3].revision == "r7");
  // The Docker driver: the compose service, the container as the instance.
  CHECK(r[4].service == "web");
  CHECK(r[4].instance == "web-1");
  CHECK(r[4].app_level == "ERROR");
}

TEST_CASE("Loki protobuf: fields the decoder does not use are skipped") {
  WireWriter metadata;
  metadata.bytes_field(1, "trace_id");
  metadata.bytes_field(2, "0af7651916cd43dd");
  WireWriter e;
  e.bytes_field(1, timestamp(1758000000, 0));
  e.bytes_field(2, "first");
  e.bytes_field(3, metadata.data());  // structuredMetadata
  e.bytes_field(4, metadata.data());  // parsed
  e.fixed64_field(15, 1);             // a field a later Loki may add
  WireWriter s;
  s.bytes_field(1, R"({app="a"})");
  s.bytes_field(2, e.data());
  s.varint_field(3, 0x9E3779B97F4A7C15);  // hash
  s.bytes_field(2, entry(1758000001, 0, ""));  // an empty line is left out of the entry
  WireWriter p;
  p.bytes_field(1, s.data());
  p.bytes_field(2, "loki");  // format
  ParseResult result = parse_protobuf(p.data());
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "first");
  CHECK(result.records[0].service == "a");
  CHECK(result.records[1].text.empty());

  // No streams at all, or no labels: nothing, or records without a service of their own.
  CHECK(parse_protobuf("").records.empty());
  CHECK(parse_protobuf("").errors.empty());
  WireWriter unlabelled;
  unlabelled.bytes_field(2, entry(1758000000, 0, "x"));
  ParseOptions options;
  options.service = "given";
  ParseResult defaults = parse_protobuf(push({unlabelled.data()}), options);
  REQUIRE(defaults.records.size() == 1);
  CHECK(defaults.records[0].service == "given");
}

TEST_CASE("Loki protobuf: a bad entry is rejected by its path, its neighbours kept") {
  WireWriter wrong_line;
  wrong_line.bytes_field(1, timestamp(1758000000, 0));
  wrong_line.varint_field(2, 7);
  WireWriter no_time;
  no_time.bytes_field(2, "no time");
  const std::string body = push({
      stream(R"({app="a"})", {entry(1758000000, 0, "ok 0"), entry(1758000000, 1000000000, "bad nanos"),
                             entry(-5, 0, "before 1970"), wrong_line.data(), no_time.data(),
                             entry(1758000000, 0, "bad \xFF byte"), "\x0A\x05\x08\x01"s,
                             entry(1758000000, 0, "ok 1")}),
      stream(R"({app="b", app="c"})", {entry(1, 0, "x"), entry(2, 0, "y")}),
      stream(R"({app="d"})", {entry(1758000000, 0, "ok 2")}),
  });
  ParseResult result = parse_protobuf(body);
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].text == "ok 0");
  CHECK(result.records[1].text == "ok 1");
  CHECK(result.records[2].text == "ok 2");
  CHECK(result.input_records == 10);
  INFO(all_errors(result));
  REQUIRE(result.errors.size() == 7);
  const auto& e = result.errors;
  CHECK(e[0].index == 1);
  CHECK(e[0].field == "streams[0].entries[1].timestamp.nanos");
  CHECK(e[0].message == "not within 0…999999999: 1000000000");
  CHECK(e[1].field == "streams[0].entries[2].timestamp.seconds");
  CHECK(e[1].message == "before 1970: -5");
  CHECK(e[2].field == "streams[0].entries[3].line");
  CHECK(e[2].message.ends_with("expected wire type 2 (length-delimited), got 0 (varint)"));
  CHECK(e[3].field == "streams[0].entries[4].timestamp");
  CHECK(e[3].message == "missing: each entry needs a timestamp");
  CHECK(e[4].field == "streams[0].entries[5].line");
  CHECK(e[4].message == "invalid UTF-8 at byte 4 of the line");
  CHECK(e[5].index == 6);
  CHECK(e[5].field == "streams[0].entries[6]");
  CHECK(e[5].message.find("runs past the end of the message") != std::string::npos);
  // The stream with a repeated label is one error; its two entries keep their places.
  CHECK(e[6].index == 8);
  CHECK(e[6].field == "streams[1].labels");
  CHECK(e[6].message == R"(at byte 10: label app appears twice (labels: {app="b", app="c"}))");

  // Offsets are the entries' own, in the decompressed message.
  CHECK(body.substr(e[0].offset, 1) == "\x12");
  CHECK(e[0].offset < e[1].offset);
}

TEST_CASE("Loki protobuf: broken framing keeps what came before it") {
  const std::string good = stream(R"({app="a"})", {entry(1758000000, 0, "ok 0"), entry(1758000000, 0, "ok 1")});
  SUBCASE("inside a stream") {
    std::string broken = stream(R"({app="b"})", {entry(1758000000, 0, "ok 2")}) + "\x12\x7F"s;
    ParseResult result = parse_protobuf(push({good, broken, good}));
    REQUIRE(result.records.size() == 5);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 3);
    CHECK(result.errors[0].field == "streams[1]");
    CHECK(result.errors[0].message.ends_with("; the rest of the stream was not read"));
  }
  SUBCASE("in the push request") {
    ParseResult result = parse_protobuf(push({good}) + "\x0A\xFF\x01"s + "short");
    REQUIRE(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 2);
    CHECK(result.errors[0].field.empty());
    CHECK(result.errors[0].message ==
          "the push request is malformed: field 1 at byte " + std::to_string(push({good}).size()) +
              ": length 255 runs past the end of the message (5 bytes left); the rest was not read");
  }
  SUBCASE("a stream of the wrong wire type") {
    ParseResult result = parse_protobuf("\x08\x01"s + push({good}));
    REQUIRE(result.records.size() == 2);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].index == 0);
    CHECK(result.errors[0].field == "streams[0]");
    CHECK(result.records[0].text == "ok 0");
  }
  SUBCASE("JSON sent as protobuf") {
    ParseResult result = parse_protobuf(R"({"streams":[]})");
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.starts_with("the push request is malformed: "));
  }
}

TEST_CASE("Loki protobuf: limits apply per line and per body") {
  const std::string body = push({stream(R"({app="a"})", {entry(1758000000, 0, "short"),
                                                         entry(1758000000, 0, "much too long a line"),
                                                         entry(1758000000, 0, "short again")})});
  ParseOptions options;
  options.max_line_bytes = 12;
  ParseResult lines = parse_protobuf(body, options);
  REQUIRE(lines.records.size() == 2);
  REQUIRE(lines.errors.size() == 1);
  CHECK(lines.errors[0].limit == "max_line_bytes");
  CHECK(lines.errors[0].index == 1);
  CHECK(lines.errors[0].message == "the line at streams[0].entries[1] is 20 bytes, more than max_line_bytes (12)");

  ParseOptions few;
  few.max_records = 2;
  ParseResult records = parse_protobuf(body, few);
  CHECK(records.records.size() == 2);
  REQUIRE(records.errors.size() == 1);
  CHECK(records.errors[0].limit == "max_records");
  CHECK(records.errors[0].index == 2);
}

}  // namespace
}  // namespace faultline
