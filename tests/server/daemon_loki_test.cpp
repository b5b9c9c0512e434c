// The log shippers people already run, unchanged: Loki's protobuf push (snappy,
// usually without Content-Encoding) opens the incidents the same entries open
// through any other route, and its mistakes are answered precisely.
#include <doctest/doctest.h>

#include <map>

#include "codec/protobuf_wire.h"
#include "incidents/incident_expectation.h"
#include "parsers/snappy.h"
#include "parsers/timestamp.h"
#include "tests/server/daemon_process.h"
#include "tests/server/scenario_support.h"
#include "tests/support/files.h"

namespace faultline::testing {
namespace {

using protobuf::WireWriter;

const std::string kSeed = std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson";

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The scenario's LogEntries as Promtail would push them after scraping the
// containers: one stream per label set ({instance, level, revision,
// service_name, stream}, sorted, ", " between), nanosecond timestamps.
std::string promtail_push(const std::string& ndjson_file) {
  std::map<std::string, std::vector<std::string>> streams;  // labels -> entries
  for (const std::string& line : read_lines(ndjson_file)) {
    auto e = nlohmann::json::parse(line);
    const auto& resource = e["resource"]["labels"];
    std::string text = e.contains("textPayload") ? e["textPayload"].get<std::string>() : e["jsonPayload"].dump();
    const std::string log = e.value("logName", "");
    const std::string instance = e.value("labels", nlohmann::json::object()).value("instanceId", "none");
    std::string labels = "{instance=" + quoted(instance.substr(0, 16)) +
                         ", level=" + quoted(e.value("severity", "DEFAULT")) +
                         ", revision=" + quoted(resource.value("revision_name", "")) +
                         ", service_name=" + quoted(resource.value("service_name", "")) +
                         ", stream=" + quoted(log.substr(log.rfind("%2F") + 3)) + "}";
    const auto nanos = parse_rfc3339(e["timestamp"].get<std::string>())->time_since_epoch().count();
    WireWriter time;
    time.varint_field(1, static_cast<uint64_t>(nanos / 1000000000));
    time.varint_field(2, static_cast<uint64_t>(nanos % 1000000000));
    WireWriter entry;
    entry.bytes_field(1, time.data());
    entry.bytes_field(2, text);
    streams[labels].push_back(entry.take());
  }
  WireWriter push;
  for (const auto& [labels, entries] : streams) {
    WireWriter stream;
    stream.bytes_field(1, labels);
    for (const std::string& entry : entries) stream.bytes_field(2, entry);
    push.bytes_field(1, stream.data());
  }
  return snappy_compress(push.data());
}

nlohmann::json expected_incidents() {
  return nlohmann::json::parse(read_file(kSeed.substr(0, kSeed.size() - 7) + ".expected.json"))["incidents"];
}

}  // namespace

TEST_CASE("winston-loki's protobuf push of the seed cascade opens the seed incident") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  // As captured: Content-Type application/x-protobuf, no Content-Encoding.
  const std::string body = read_file(std::string(FAULTLINE_CORPUS) + "/loki/winston-loki-6.1.7.seed-cascade.snappy");
  HttpResult ingest = http_post(daemon.port(), "/loki/api/v1/push", body, "application/x-protobuf");
  REQUIRE_MESSAGE(ingest.status == 200, ingest.body);
  CHECK(ingest.json()["accepted"] == read_lines(kSeed).size());
  CHECK(ingest.json()["rejected"].empty());

  HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?state=all");
  REQUIRE(listed.status == 200);
  const nlohmann::json live = listed.json()["incidents"];
  CHECK_MESSAGE(compare_incidents(expected_incidents(), live).empty(), compare_incidents(expected_incidents(), live));
  CHECK(daemon.stop() == 0);
}

TEST_CASE("a Promtail-style protobuf push gives the incidents scan gives for the same entries") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  const std::string body = promtail_push(kSeed);
  // Some clients say Content-Encoding: snappy; the charset parameter is ignored.
  HttpResult ingest = http_post(daemon.port(), "/loki/api/v1/push", body, "application/x-protobuf; charset=binary",
                                {{"Content-Encoding", "snappy"}});
  REQUIRE_MESSAGE(ingest.status == 200, ingest.body);
  CHECK(ingest.json()["accepted"] == read_lines(kSeed).size());
  CHECK(ingest.json()["matched"].get<int>() > 0);

  const nlohmann::json live = http_get(daemon.port(), "/api/v1/incidents?state=all").json()["incidents"];
  CHECK_MESSAGE(compare_incidents(expected_incidents(), live).empty(), compare_incidents(expected_incidents(), live));
  if (auto replayed = scan_incidents(kSeed)) CHECK(projections(live) == projections(*replayed));
  CHECK(daemon.stop() == 0);
}

TEST_CASE("protobuf push mistakes: the good entries kept, the bad ones named, bombs refused") {
  TempDir dir;
  write_text(dir.file("faultline.yaml"), "limits:\n  max_body: 32KiB\n  max_decompressed_body: 64KiB\n");
  Daemon daemon(dir.file("faultline.db"), {"--config", dir.file("faultline.yaml")});
  const uint16_t port = daemon.port();

  SUBCASE("a bad entry beside good ones") {
    WireWriter good, bad, stream, push;
    WireWriter time;
    time.varint_field(1, 1758000000);
    good.bytes_field(1, time.data());
    good.bytes_field(2, "Error: Cannot find module 'express'");
    bad.bytes_field(2, "no timestamp");
    stream.bytes_field(1, R"({service_name="checkout"})");
    stream.bytes_field(2, good.data());
    stream.bytes_field(2, bad.data());
    push.bytes_field(1, stream.data());
    HttpResult result = http_post(port, "/loki/api/v1/push", snappy_compress(push.data()), "application/x-protobuf");
    REQUIRE_MESSAGE(result.status == 200, result.body);
    CHECK(result.json()["accepted"] == 1);
    REQUIRE(result.json()["rejected"].size() == 1);
    CHECK(result.json()["rejected"][0]["index"] == 1);
    CHECK(result.json()["rejected"][0]["field"] == "streams[0].entries[1].timestamp");
  }
  SUBCASE("labels that do not parse") {
    WireWriter stream, push;
    stream.bytes_field(1, R"({app=~"x"})");
    push.bytes_field(1, stream.data());
    HttpResult result = http_post(port, "/loki/api/v1/push", snappy_compress(push.data()), "application/x-protobuf");
    CHECK(result.status == 400);
    CHECK(result.json()["field"] == "streams[0].labels");
    CHECK(result.body.find("a stream's labels take = only") != std::string::npos);
  }
  SUBCASE("a body that is not snappy") {
    HttpResult result = http_post(port, "/loki/api/v1/push", R"({"streams":[]})", "application/x-protobuf");
    CHECK(result.status == 400);
    CHECK(result.json()["type"].get<std::string>().ends_with("malformed-snappy"));
    CHECK(result.body.find("snappy") != std::string::npos);
  }
  SUBCASE("a snappy header announcing more than limits.max_decompressed_body") {
    HttpResult result =
        http_post(port, "/loki/api/v1/push", std::string("\xFF\xFF\xFF\xFF\x0F\x00", 6), "application/x-protobuf");
    CHECK(result.status == 413);
    CHECK(result.json()["limit"]["name"] == "limits.max_decompressed_body");
    CHECK(result.body.find("snappy body") != std::string::npos);
  }
  SUBCASE("JSON is still JSON, and gzip still applies") {
    const std::string json = R"({"streams":[{"stream":{"app":"a"},"values":[["1758000000000000000","hello"]]}]})";
    CHECK(http_post(port, "/loki/api/v1/push", json, "application/json").json()["accepted"] == 1);
    CHECK(http_post(port, "/loki/api/v1/push", snappy_compress(json), "application/json",
                    {{"Content-Encoding", "snappy"}})
              .json()["accepted"] == 1);
  }
  SUBCASE("other types and encodings are named in the 415") {
    HttpResult type = http_post(port, "/loki/api/v1/push", "x", "application/msgpack");
    CHECK(type.status == 415);
    CHECK(type.body.find("application/json") != std::string::npos);
    CHECK(type.body.find("application/x-protobuf") != std::string::npos);
    HttpResult encoding = http_post(port, "/loki/api/v1/push", "x", "application/x-protobuf", {{"Content-Encoding", "br"}});
    CHECK(encoding.status == 415);
    CHECK(encoding.body.find("gzip, snappy") != std::string::npos);
    // snappy is Loki's: the other routes do not take it.
    CHECK(http_post(port, "/v1/logs", snappy_compress("{}"), "application/json", {{"Content-Encoding", "snappy"}})
              .status == 415);
  }
  CHECK(http_get(port, "/healthz").status == 200);
  CHECK(daemon.stop() == 0);
}

}  // namespace faultline::testing
