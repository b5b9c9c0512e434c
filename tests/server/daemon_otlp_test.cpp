// OTLP/HTTP log exports on /v1/logs, as an unmodified OpenTelemetry Collector
// otlphttp exporter or SDK log exporter sends them: protobuf or JSON, gzip, and
// OTLP's own answers (ExportLogsServiceResponse, google.rpc.Status).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "codec/protobuf_wire.h"
#include "incidents/incident_expectation.h"
#include "parsers/gzip.h"
#include "parsers/timestamp.h"
#include "tests/server/daemon_process.h"
#include "tests/support/files.h"
#include "tests/support/otlp_writer.h"

namespace faultline::testing {
namespace {

using nlohmann::json;
using otlp::string_attribute;

std::string corpus(const std::string& path) { return std::string(FAULTLINE_CORPUS) + "/" + path; }

// A JSON value as an OTLP AnyValue: objects become kvlists, as a Collector
// carries a structured log's fields.
json any_value(const json& value) {
  if (value.is_string()) return {{"stringValue", value}};
  if (value.is_boolean()) return {{"boolValue", value}};
  if (value.is_number_integer()) return {{"intValue", std::to_string(value.get<int64_t>())}};
  if (value.is_number()) return {{"doubleValue", value}};
  if (value.is_array()) {
    json values = json::array();
    for (const json& element : value) values.push_back(any_value(element));
    return {{"arrayValue", {{"values", values}}}};
  }
  if (value.is_object()) {
    json values = json::array();
    for (const auto& [key, member] : value.items()) values.push_back({{"key", key}, {"value", any_value(member)}});
    return {{"kvlistValue", {{"values", values}}}};
  }
  return json::object();
}

int severity_number(const std::string& severity) {
  static const std::map<std::string, int> kNumbers = {
      {"DEBUG", 5}, {"INFO", 9}, {"NOTICE", 10}, {"WARNING", 13}, {"ERROR", 17}, {"CRITICAL", 21}, {"ALERT", 22}, {"EMERGENCY", 23}};
  auto it = kNumbers.find(severity);
  return it == kNumbers.end() ? 0 : it->second;
}

// Cloud Run LogEntries as the OpenTelemetry Collector would carry the same
// lines: one ResourceLogs per (service, revision, instance) with the GCP
// resource detector's attributes, textPayload as a string body, jsonPayload as
// a map body, stdout/stderr as log.iostream.
json as_otlp_request(const std::vector<std::string>& lines) {
  std::vector<std::string> order;
  std::map<std::string, json> units;
  for (const std::string& line : lines) {
    const json entry = json::parse(line);
    const json& labels = entry["resource"]["labels"];
    const std::string service = labels.value("service_name", "");
    const std::string revision = labels.value("revision_name", "");
    const std::string instance = entry.value("labels", json::object()).value("instanceId", "");
    const std::string key = service + "|" + revision + "|" + instance;
    if (!units.contains(key)) {
      order.push_back(key);
      json attributes = {string_attribute("service.name", service), string_attribute("faas.name", service),
                         string_attribute("faas.version", revision), string_attribute("cloud.platform", "gcp_cloud_run")};
      if (!instance.empty()) attributes.push_back(string_attribute("faas.instance", instance));
      units[key] = {{"resource", {{"attributes", attributes}}},
                    {"scopeLogs", {{{"scope", {{"name", "gcp.cloud_run"}}}, {"logRecords", json::array()}}}}};
    }
    const Timestamp time = *parse_rfc3339(entry["timestamp"].get<std::string>());
    json record = {{"timeUnixNano", std::to_string(time.time_since_epoch().count())},
                   {"severityText", entry.value("severity", "")},
                   {"severityNumber", severity_number(entry.value("severity", ""))},
                   {"attributes", json::array()}};
    if (entry.contains("textPayload")) record["body"] = any_value(entry["textPayload"]);
    if (entry.contains("jsonPayload")) record["body"] = any_value(entry["jsonPayload"]);
    const std::string log_name = entry.value("logName", "");
    const std::string stream = log_name.substr(log_name.rfind("%2F") == std::string::npos ? 0 : log_name.rfind("%2F") + 3);
    if (stream == "stdout" || stream == "stderr") record["attributes"].push_back(string_attribute("log.iostream", stream));
    units[key]["scopeLogs"][0]["logRecords"].push_back(record);
  }
  json request = {{"resourceLogs", json::array()}};
  for (const std::string& key : order) request["resourceLogs"].push_back(units[key]);
  return request;
}

// ExportLogsServiceResponse.partial_success (field 1) as {rejected, message}.
std::pair<int64_t, std::string> partial_success(const std::string& response) {
  protobuf::WireReader reader(response);
  protobuf::Field field;
  std::pair<int64_t, std::string> out{0, ""};
  while (reader.next(field)) {
    if (field.number != 1) continue;
    protobuf::WireReader partial = protobuf::WireReader::nested(field);
    protobuf::Field member;
    while (partial.next(member)) {
      if (member.number == 1) out.first = member.as_int64();
      if (member.number == 2) out.second = std::string(member.bytes);
    }
  }
  REQUIRE_FALSE(reader.failed());
  return out;
}

// google.rpc.Status {code = 1, message = 2}.
std::pair<int32_t, std::string> rpc_status(const std::string& response) {
  protobuf::WireReader reader(response);
  protobuf::Field field;
  std::pair<int32_t, std::string> out{0, ""};
  while (reader.next(field)) {
    if (field.number == 1) out.first = field.as_int32();
    if (field.number == 2) out.second = std::string(field.bytes);
  }
  REQUIRE_FALSE(reader.failed());
  return out;
}

json incidents(const Daemon& daemon) {
  HttpResult listed = http_get(daemon.port(), "/api/v1/incidents?state=all");
  REQUIRE(listed.status == 200);
  return listed.json()["incidents"];
}

}  // namespace

TEST_CASE("OTLP/HTTP: the seed cascade as gzipped OTLP protobuf and JSON opens its incident with the culprit frame") {
  const json request = as_otlp_request(read_lines(corpus("failures/01_seed_netra_monitoring_cascade.ndjson")));
  const json expected = json::parse(read_file(corpus("failures/01_seed_netra_monitoring_cascade.expected.json")));
  for (const bool protobuf : {true, false}) {
    CAPTURE(protobuf);
    TempDir dir;
    Daemon daemon(dir.file("faultline.db"));
    const std::string body = protobuf ? otlp::to_protobuf(request) : request.dump();
    HttpResult result = http_post(daemon.port(), "/v1/logs", gzip_compress(body),
                                  protobuf ? "application/x-protobuf" : "application/json", {{"Content-Encoding", "gzip"}});
    REQUIRE_MESSAGE(result.status == 200, result.body);
    // Full success: partial_success left unset.
    if (protobuf) {
      CHECK(result.header("content-type") == "application/x-protobuf");
      CHECK(result.body.empty());
    } else {
      CHECK(result.header("content-type") == "application/json");
      CHECK(result.json() == json::object());
    }

    const json live = incidents(daemon);
    CHECK_MESSAGE(compare_incidents(expected["incidents"], live).empty(), compare_incidents(expected["incidents"], live));
    REQUIRE(live.size() == 1);
    const json frame = live[0]["root_cause"]["frame"];
    CHECK(frame["file"] == "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py");
    CHECK(frame["line"] == 23);
    CHECK(frame["function"] == "<module>");
    CHECK(daemon.stop() == 0);
  }
}

TEST_CASE("OTLP/HTTP: the OpenTelemetry JS SDK's gzipped protobuf export opens an incident from its exception attributes") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  HttpResult result = http_post(daemon.port(), "/v1/logs", read_file(corpus("otlp/node-sdk.pb.gz")),
                                "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  REQUIRE_MESSAGE(result.status == 200, result.body);
  CHECK(result.body.empty());
  const json live = incidents(daemon);
  REQUIRE(live.size() == 1);
  CHECK(live[0]["service"] == "checkout");
  CHECK(live[0]["root_cause"]["rule"] == "node_module_not_found");
  CHECK(live[0]["root_cause"]["module"] == "stripe-payments-client");
  CHECK(live[0]["root_cause"]["frame"]["file"] == "/tmp/otlp-golden/app/export.js");
  CHECK(live[0]["root_cause"]["frame"]["line"] == 21);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("OTLP/HTTP: one bad record among good ones is a partial success, in the request's encoding") {
  const std::string seed_line = read_lines(corpus("failures/01_seed_netra_monitoring_cascade.ndjson"))[0];
  json request = as_otlp_request({seed_line});
  json& records = request["resourceLogs"][0]["scopeLogs"][0]["logRecords"];
  json bad = records[0];
  bad["timeUnixNano"] = "18446744073709551615";  // beyond int64 nanoseconds: rejected
  records.push_back(bad);
  records.push_back(records[0]);

  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  HttpResult as_json = http_post(daemon.port(), "/v1/logs", request.dump(), "application/json");
  REQUIRE_MESSAGE(as_json.status == 200, as_json.body);
  CHECK(as_json.header("content-type") == "application/json");
  const json partial = as_json.json()["partialSuccess"];
  CHECK(partial["rejectedLogRecords"] == "1");
  CHECK(partial["errorMessage"].get<std::string>().starts_with(
      "1 log record rejected: record 1 (byte 0): resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano: "));

  // protobuf: the bad record cannot be written as fixed64 beyond 2^64, so its
  // time goes as a varint, the wrong wire type.
  std::string body = otlp::to_protobuf(as_otlp_request({seed_line}));
  protobuf::WireWriter wrong_time;
  wrong_time.varint_field(1, 5);
  protobuf::WireWriter scope;
  scope.bytes_field(2, wrong_time.data());
  protobuf::WireWriter unit;
  unit.bytes_field(2, scope.data());
  body += std::string("\x0a", 1);
  protobuf::append_varint(body, unit.data().size());
  body += unit.data();
  HttpResult as_protobuf = http_post(daemon.port(), "/v1/logs", body, "application/x-protobuf");
  REQUIRE_MESSAGE(as_protobuf.status == 200, as_protobuf.body);
  CHECK(as_protobuf.header("content-type") == "application/x-protobuf");
  auto [rejected, message] = partial_success(as_protobuf.body);
  CHECK(rejected == 1);
  CHECK(message.find("resource_logs[1].scope_logs[0].log_records[0].time_unix_nano") != std::string::npos);

  HttpResult metrics = http_get(daemon.port(), "/metrics");
  CHECK(metrics.body.find("faultline_ingest_rejected_total{reason=\"malformed\"} 2") != std::string::npos);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("OTLP/HTTP: an unreadable request is a 400 with a google.rpc.Status, in the request's encoding") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  HttpResult truncated = http_post(daemon.port(), "/v1/logs", std::string("\x0a\x7f\x0a\x02", 4), "application/x-protobuf");
  CHECK(truncated.status == 400);
  CHECK(truncated.header("content-type") == "application/x-protobuf");
  auto [code, message] = rpc_status(truncated.body);
  CHECK(code == 3);  // INVALID_ARGUMENT
  CHECK(message.starts_with("not a protobuf ExportLogsServiceRequest: field 1 at byte 0: length 127 runs past the end"));

  // JSON sent as protobuf: the message says so.
  HttpResult mislabelled = http_post(daemon.port(), "/v1/logs", R"({"resourceLogs":[]})", "application/x-protobuf");
  CHECK(mislabelled.status == 400);
  CHECK(rpc_status(mislabelled.body).second.ends_with("send it with Content-Type: application/json)"));

  HttpResult not_a_list = http_post(daemon.port(), "/v1/logs", R"({"resourceLogs":{}})", "application/json");
  CHECK(not_a_list.status == 400);
  CHECK(not_a_list.header("content-type") == "application/json");
  CHECK(not_a_list.json() == json({{"code", 3}, {"message", "resourceLogs: expected an array, got object"}}));

  // gzip that is not gzip, on a protobuf request: also a Status.
  HttpResult bad_gzip = http_post(daemon.port(), "/v1/logs", "not gzip", "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  CHECK(bad_gzip.status == 400);
  CHECK(rpc_status(bad_gzip.body).second.starts_with("The body is not valid gzip: "));

  // An empty request is a success.
  HttpResult empty = http_post(daemon.port(), "/v1/logs", "", "application/x-protobuf");
  CHECK(empty.status == 200);
  CHECK(empty.body.empty());
  CHECK(daemon.stop() == 0);
}

TEST_CASE("OTLP/HTTP: ?service= names the records whose resource names no service, NDJSON still works") {
  TempDir dir;
  Daemon daemon(dir.file("faultline.db"));
  json request = {{"resourceLogs",
                   {{{"resource", {{"attributes", {string_attribute("service.name", "unknown_service:python")}}}},
                     {"scopeLogs",
                      {{{"logRecords",
                         {{{"severityNumber", 17},
                           {"body", {{"stringValue", "ModuleNotFoundError: No module named 'billing.tasks'"}}}}}}}}}}}}};
  HttpResult result = http_post(daemon.port(), "/v1/logs?service=billing-worker", otlp::to_protobuf(request),
                                "application/x-protobuf");
  REQUIRE_MESSAGE(result.status == 200, result.body);
  const json live = incidents(daemon);
  REQUIRE(live.size() == 1);
  CHECK(live[0]["service"] == "billing-worker");

  // The flat NDJSON records of before keep their answer.
  HttpResult ndjson = http_post(daemon.port(), "/v1/logs", R"({"service":"web","message":"hello"})" "\n",
                                "application/x-ndjson");
  REQUIRE_MESSAGE(ndjson.status == 200, ndjson.body);
  CHECK(ndjson.json()["accepted"] == 1);
  CHECK(daemon.stop() == 0);
}

}  // namespace faultline::testing
