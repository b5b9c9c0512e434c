// OTLP/HTTP logs (an ExportLogsServiceRequest), as the OpenTelemetry Collector's
// otlphttp exporter and the SDKs' log exporters post it to /v1/logs.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "parsers/gzip.h"
#include "parsers/multiline.h"
#include "parsers/parse.h"
#include "parsers_test_support.h"
#include "tests/support/otlp_writer.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

const std::string kOtlpCorpus = std::string(FAULTLINE_CORPUS) + "/otlp/";

Timestamp nanos(int64_t n) { return Timestamp{std::chrono::nanoseconds{n}}; }

// {"key":k,"value":{"stringValue":v}}, the way every attribute below is written.
nlohmann::json attribute(const std::string& key, const std::string& value) {
  return testing::otlp::string_attribute(key, value);
}

nlohmann::json request_json(const nlohmann::json& resource_attributes, const nlohmann::json& records) {
  return {{"resourceLogs",
           {{{"resource", {{"attributes", resource_attributes}}},
             {"scopeLogs", {{{"scope", {{"name", "test"}}}, {"logRecords", records}}}}}}}};
}

std::string request(const nlohmann::json& resource_attributes, const nlohmann::json& records) {
  return request_json(resource_attributes, records).dump();
}

// What the three records of tests/corpus/otlp give, whichever encoding carried them.
void check_node_sdk_records(const ParseResult& result) {
  INFO(all_errors(result));
  CHECK(result.otlp);
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 3);
  for (const LogRecord& record : result.records) {
    CHECK(record.service == "checkout");
    CHECK(record.revision == "1.4.2");
    CHECK(record.instance == "checkout-7d4b9c6f5-x2x9q");
    CHECK(record.namespace_name == "shop");
    CHECK(record.cluster == "prod-eu");
    CHECK(record.resource_type == "k8s_container");
    CHECK(record.source_id.empty());
  }
  const LogRecord& listening = result.records[0];
  CHECK(listening.time == nanos(1758000000123000000));
  CHECK(listening.text == "listening on :8080");
  CHECK(listening.severity == "INFO");
  CHECK(listening.app_level == "INFO");
  CHECK(listening.stream == "stdout");

  // The exception attributes follow the body as lines: the stack trace says the
  // type and message already, so only it follows.
  LogRecord failed = result.records[1];
  CHECK(failed.time == nanos(1758000000456000000));
  CHECK(failed.severity == "CRITICAL");
  CHECK(failed.app_level == "CRITICAL");
  CHECK(failed.stream.empty());
  CHECK(failed.text.starts_with(
      "startup failed\nError: Cannot find module 'stripe-payments-client'\nRequire stack:\n"
      "- /tmp/otlp-golden/app/export.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n"));
  CHECK(failed.text.find("MODULE_NOT_FOUND") == std::string::npos);
  annotate_trace(failed);
  REQUIRE(failed.culprit);
  CHECK(failed.culprit->file == "/tmp/otlp-golden/app/export.js");
  CHECK(failed.culprit->line == 21);
  CHECK(failed.culprit->function == "startPaymentClient");

  // A map body is read like an application's JSON record: message, then its error.
  const LogRecord& retrying = result.records[2];
  CHECK(retrying.time == nanos(1758000000789000000));
  CHECK(retrying.text == "retrying payment\nTimeoutError: upstream timed out");
  CHECK(retrying.severity == "WARNING");
  CHECK(retrying.app_level == "WARNING");
}

TEST_CASE("OTLP/JSON: the OpenTelemetry JS SDK's export maps resource, severity, body and exception") {
  const std::string body = test::read_file(kOtlpCorpus + "node-sdk.json");
  // /v1/logs parses as ndjson; scan sniffs (automatic).
  for (InputFormat format : {InputFormat::ndjson, InputFormat::automatic}) {
    CAPTURE(static_cast<int>(format));
    check_node_sdk_records(parse(body, format));
  }
}

TEST_CASE("OTLP/JSON: Cloud Run resource attributes, and the SDKs' unknown_service placeholder") {
  const std::string body = request(
      {attribute("service.name", "unknown_service:node"), attribute("faas.name", "orders-api"),
       attribute("faas.version", "orders-api-00042-abc"), attribute("faas.instance", "0069c7a9884a"),
       attribute("cloud.platform", "gcp_cloud_run"), attribute("host.name", "localhost")},
      {{{"observedTimeUnixNano", "1759649400000000000"}, {"severityText", "error"},
        {"body", {{"stringValue", "Container called exit(3).\n"}}}}});
  ParseResult result = parse(body, InputFormat::ndjson);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  const LogRecord& record = result.records[0];
  CHECK(record.service == "orders-api");
  CHECK(record.revision == "orders-api-00042-abc");
  CHECK(record.instance == "0069c7a9884a");
  CHECK(record.resource_type == "cloud_run_revision");
  CHECK(record.text == "Container called exit(3).");
  CHECK(record.severity == "ERROR");
  CHECK(record.app_level == "ERROR");
  // No timeUnixNano: the collector's observed time.
  CHECK(record.time == nanos(1759649400000000000));
}

TEST_CASE("OTLP/JSON: a record's attributes override its resource's, query defaults fill the rest") {
  const std::string body = request(
      {attribute("k8s.replicaset.name", "web-7d4b9c6f5"), attribute("host.name", "node-3")},
      {{{"body", {{"stringValue", "from the resource"}}}},
       {{"body", {{"stringValue", "named on the record"}}},
        {"attributes", {attribute("service.name", "worker"), attribute("k8s.pod.name", "worker-0")}}}});
  ParseOptions options;
  options.service = "fallback";
  options.instance = "unused";
  options.arrival = nanos(1760000000000000000);
  ParseResult result = parse(body, InputFormat::ndjson, options);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].service == "fallback");
  CHECK(result.records[0].revision == "7d4b9c6f5");  // a Deployment's pod-template-hash
  CHECK(result.records[0].instance == "node-3");
  CHECK(result.records[0].resource_type.empty());
  CHECK(result.records[0].time == options.arrival);
  CHECK(result.records[1].service == "worker");
  CHECK(result.records[1].instance == "worker-0");
  CHECK(result.records[1].resource_type == "k8s_container");
}

TEST_CASE("OTLP/JSON: a body that is an application's JSON line, and a Python traceback in exception attributes") {
  const std::string traceback =
      "Traceback (most recent call last):\n"
      "  File \"/app/main.py\", line 3, in <module>\n"
      "    from app.services import monitoring\n"
      "ModuleNotFoundError: No module named 'app.services.monitoring'\n";
  const std::string body = request(
      nlohmann::json::array({attribute("service.name", "api")}),
      {// The filelog receiver reads a pino line: its message, level and time.
       {{"observedTimeUnixNano", "1759649400000000000"},
        {"body", {{"stringValue", R"({"level":50,"time":1759649399000,"msg":"payment failed"})"}}}},
       // Python's logging handler: type and message are the traceback's last line.
       {{"timeUnixNano", 1759649401000000000}, {"severityNumber", 17}, {"severityText", "ERROR"},
        {"body", {{"stringValue", "Exception on startup"}}},
        {"attributes",
         {attribute("exception.type", "ModuleNotFoundError"),
          attribute("exception.message", "No module named 'app.services.monitoring'"),
          attribute("exception.stacktrace", traceback)}}},
       // Only a type and message (no stack): one line after the body.
       {{"body", {{"stringValue", "lookup failed"}}},
        {"attributes", {attribute("exception.type", "KeyError"), attribute("exception.message", "'user'")}}}});
  ParseResult result = parse(body, InputFormat::ndjson);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].text == "payment failed");
  CHECK(result.records[0].app_level == "ERROR");
  CHECK(result.records[0].severity.empty());
  CHECK(result.records[0].time == nanos(1759649399000000000));  // the line's own time before the observed one

  LogRecord failed = result.records[1];
  CHECK(failed.text == "Exception on startup\n" + traceback.substr(0, traceback.size() - 1));
  annotate_trace(failed);
  REQUIRE(failed.culprit);
  CHECK(failed.culprit->file == "/app/main.py");
  CHECK(failed.culprit->line == 3);
  REQUIRE_FALSE(failed.exceptions.empty());
  CHECK(failed.exceptions[0] == "ModuleNotFoundError: No module named 'app.services.monitoring'");

  CHECK(result.records[2].text == "lookup failed\nKeyError: 'user'");
}

TEST_CASE("OTLP/JSON: values of every AnyValue kind, and bodies that are not text") {
  nlohmann::json kvlist = {
      {"kvlistValue",
       {{"values",
         {{{"key", "s"}, {"value", {{"stringValue", "x"}}}},
          {{"key", "b"}, {"value", {{"boolValue", true}}}},
          {{"key", "i"}, {"value", {{"intValue", "-9007199254740993"}}}},
          {{"key", "d"}, {"value", {{"doubleValue", 0.5}}}},
          {{"key", "inf"}, {"value", {{"doubleValue", "Infinity"}}}},
          {{"key", "a"}, {"value", {{"arrayValue", {{"values", {{{"intValue", 1}}, {{"stringValue", "two"}}}}}}}}},
          {{"key", "bytes"}, {"value", {{"bytesValue", "AAE="}}}},
          {{"key", "empty"}, {"value", nlohmann::json::object()}},
          {{"key", "s"}, {"value", {{"stringValue", "a repeated key: the first wins"}}}}}}}}};
  const std::string body =
      request(nlohmann::json::array(),
              {{{"body", kvlist}}, {{"body", {{"intValue", "42"}}}}, {{"body", {{"boolValue", false}}}}, nlohmann::json::object()});
  ParseResult result = parse(body, InputFormat::ndjson);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 4);
  CHECK(result.records[0].text ==
        R"({"a":[1,"two"],"b":true,"bytes":"AAE=","d":0.5,"empty":null,"i":-9007199254740993,"inf":null,"s":"x"})");
  CHECK(result.records[1].text == "42");
  CHECK(result.records[2].text == "false");
  CHECK(result.records[3].text.empty());  // no body: accepted, matches nothing
}

TEST_CASE("OTLP/JSON: a bad record is rejected by its path, the good records beside it kept") {
  nlohmann::json good = {{"timeUnixNano", "1759649400000000000"}, {"body", {{"stringValue", "ok"}}}};
  nlohmann::json body = {
      {"resourceLogs",
       {{{"resource", {{"attributes", {attribute("service.name", "a")}}}},
         {"scopeLogs",
          {{{"logRecords",
             {good,
              {{"timeUnixNano", "soon"}},
              {{"severityNumber", "SEVERITY_NUMBER_ERROR"}},
              {{"body", "plain string"}},
              {{"attributes", {{{"key", "k"}, {"value", {{"intValue", "12x"}}}}}}},
              {{"timeUnixNano", "18446744073709551615"}},
              good}}},
           {{"logRecords", "not a list"}}}}},
        // A resource whose attributes cannot be read rejects each of its records.
        {{"resource", {{"attributes", {{{"key", 5}}}}}},
         {"scopeLogs", {{{"logRecords", {good, good}}}}}},
        {{"resource", {{"attributes", {attribute("service.name", "b")}}}}, {"scopeLogs", {{{"logRecords", {good}}}}}}}}};
  ParseResult result = parse(body.dump(), InputFormat::ndjson);
  CHECK(result.otlp);
  CHECK_FALSE(result.request_unreadable);
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].service == "a");
  CHECK(result.records[1].service == "a");
  CHECK(result.records[2].service == "b");
  CHECK(result.input_records == 11);
  REQUIRE(result.errors.size() == 8);
  const std::string first = "resourceLogs[0].scopeLogs[0].logRecords";
  CHECK(result.errors[0].field == first + "[1].timeUnixNano");
  CHECK(result.errors[0].message == "not Unix nanoseconds (a decimal string): \"soon\"");
  CHECK(result.errors[0].index == 1);
  CHECK(result.errors[1].field == first + "[2].severityNumber");
  CHECK(result.errors[1].message == "expected an integer, got string");
  CHECK(result.errors[2].field == first + "[3].body");
  CHECK(result.errors[2].message == "expected an AnyValue object ({\"stringValue\":…}), got string");
  CHECK(result.errors[3].field == first + "[4].attributes[0].value.intValue");
  CHECK(result.errors[3].message == "not a 64-bit integer: \"12x\"");
  CHECK(result.errors[4].field == first + "[5].timeUnixNano");
  CHECK(result.errors[4].message.find("after 2262") != std::string::npos);
  CHECK(result.errors[5].field == "resourceLogs[0].scopeLogs[1].logRecords");
  CHECK(result.errors[5].index == 7);
  for (size_t i : {6, 7}) {
    CHECK(result.errors[i].field == "resourceLogs[1].resource.attributes[0].key");
    CHECK(result.errors[i].message == "expected a string, got number");
    CHECK(result.errors[i].index == i + 2);
  }
}

TEST_CASE("OTLP/JSON: a request whose resourceLogs is not a list is unreadable, an empty one is fine") {
  ParseResult bad = parse(R"({"resourceLogs":{"resource":{}}})", InputFormat::ndjson);
  CHECK(bad.otlp);
  CHECK(bad.request_unreadable);
  CHECK(bad.records.empty());
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].field == "resourceLogs");
  CHECK(bad.errors[0].message == "expected an array, got object");

  for (std::string empty : {R"({"resourceLogs":[]})", R"({"resourceLogs":null})",
                            R"({"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[]}]}]})"}) {
    ParseResult result = parse(empty, InputFormat::ndjson);
    CHECK(result.otlp);
    CHECK(result.errors.empty());
    CHECK(result.records.empty());
  }
}

TEST_CASE("OTLP/JSON: values nested deeper than the limit are refused, not recursed into") {
  nlohmann::json value = {{"stringValue", "bottom"}};
  for (int i = 0; i < 100; ++i) value = {{"arrayValue", {{"values", {value}}}}};
  ParseResult result = parse(request(nlohmann::json::array(), {{{"body", value}}, {{"body", {{"stringValue", "ok"}}}}}),
                             InputFormat::ndjson);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "ok");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message == "nested deeper than 64 levels");
}

TEST_CASE("OTLP/JSON: the Collector's file exporter output, one request per line") {
  std::string lines = request(nlohmann::json::array({attribute("service.name", "a")}), {{{"body", {{"stringValue", "one"}}}}}) + "\n" +
                      request(nlohmann::json::array({attribute("service.name", "b")}), {{{"body", {{"stringValue", "two"}}}}}) + "\n";
  ParseResult result = parse(lines, InputFormat::automatic);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].service == "a");
  CHECK(result.records[1].text == "two");
}

TEST_CASE("OTLP/JSON: max_line_bytes bounds each record's text, max_records the records") {
  ParseOptions options;
  options.max_line_bytes = 10;
  options.max_records = 2;
  ParseResult result = parse(request(nlohmann::json::array(), {{{"body", {{"stringValue", "short"}}}},
                                                               {{"body", {{"stringValue", "much too long a line"}}}},
                                                               {{"body", {{"stringValue", "third"}}}}}),
                             InputFormat::ndjson, options);
  REQUIRE(result.records.size() == 1);
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].limit == "max_line_bytes");
  CHECK(result.errors[0].message.find("resourceLogs[0].scopeLogs[0].logRecords[1]") != std::string::npos);
  CHECK(result.errors[1].limit == "max_records");
}

// ---- Binary protobuf (Content-Type: application/x-protobuf) ----

using testing::otlp::to_protobuf;
using protobuf::WireWriter;

TEST_CASE("OTLP/protobuf: the OpenTelemetry JS SDK's export, plain and gzip, gives the JSON export's records") {
  check_node_sdk_records(parse(test::read_file(kOtlpCorpus + "node-sdk.pb"), InputFormat::otlp_protobuf));
  GunzipResult inflated = gunzip(test::read_file(kOtlpCorpus + "node-sdk.pb.gz"), 1 << 20);
  REQUIRE(inflated.status == GunzipStatus::ok);
  check_node_sdk_records(parse(inflated.data, InputFormat::otlp_protobuf));
}

TEST_CASE("OTLP/protobuf: a request gives the records its JSON form gives") {
  // The JS SDK's JSON body re-encoded by the test writer: the writer agrees with
  // the SDK's own protobuf encoder (previous case) on what the decoder reads.
  std::vector<nlohmann::json> requests = {nlohmann::json::parse(test::read_file(kOtlpCorpus + "node-sdk.json"))};
  requests.push_back(request_json(
      nlohmann::json::array({attribute("service.name", "unknown_service"), attribute("k8s.container.name", "web"),
                             attribute("k8s.pod.labels.pod-template-hash", "5d9f7c"), attribute("k8s.pod.name", "web-0")}),
      {{{"timeUnixNano", "1759649400000000001"}, {"severityNumber", 18}, {"severityText", "ERROR2"},
        {"traceId", "5b8efff798038103d269b633813fc60c"}, {"spanId", "eee19b7ec3c1b174"}, {"flags", 1},
        {"eventName", "app.crash"},
        {"body", {{"kvlistValue",
                   {{"values",
                     {{{"key", "message"}, {"value", {{"stringValue", "worker crashed"}}}},
                      {{"key", "level"}, {"value", {{"stringValue", "fatal"}}}},
                      {{"key", "n"}, {"value", {{"doubleValue", -2.5}}}},
                      {{"key", "raw"}, {"value", {{"bytesValue", "3q2+7w=="}}}},
                      {{"key", "list"}, {"value", {{"arrayValue", {{"values", {{{"boolValue", true}}}}}}}}}}}}}}},
        {"attributes", {attribute("log.iostream", "stderr"), attribute("exception.type", "SystemExit"),
                        attribute("exception.message", "3")}}},
       {{"body", {{"kvlistValue", {{"values", {{{"key", "n"}, {"value", {{"intValue", "-5"}}}}}}}}}}}}));
  for (const nlohmann::json& json_request : requests) {
    ParseResult from_json = parse(json_request.dump(), InputFormat::ndjson);
    ParseResult from_protobuf = parse(to_protobuf(json_request), InputFormat::otlp_protobuf);
    INFO(all_errors(from_json) << all_errors(from_protobuf));
    CHECK(from_protobuf.otlp);
    CHECK(from_json.errors.empty());
    CHECK(from_protobuf.errors.empty());
    REQUIRE(from_json.records.size() == from_protobuf.records.size());
    for (size_t i = 0; i < from_json.records.size(); ++i) test::check_same_record(from_protobuf.records[i], from_json.records[i]);
  }
  ParseResult second = parse(to_protobuf(requests[1]), InputFormat::otlp_protobuf);
  REQUIRE(second.records.size() == 2);
  const LogRecord& crashed = second.records[0];
  CHECK(crashed.service == "web");
  CHECK(crashed.revision == "5d9f7c");
  CHECK(crashed.stream == "stderr");
  CHECK(crashed.severity == "ERROR");
  CHECK(crashed.app_level == "CRITICAL");  // the body's own level
  CHECK(crashed.text == "worker crashed\nSystemExit: 3");
  CHECK(second.records[1].text == R"({"n":-5})");
}

// A request of one resource and one scope whose log_records are `records`.
std::string protobuf_request(const std::vector<std::string>& records, const std::string& resource = "") {
  WireWriter scope;
  for (const std::string& record : records) scope.bytes_field(2, record);
  WireWriter unit;
  if (!resource.empty()) unit.bytes_field(1, resource);
  unit.bytes_field(2, scope.data());
  WireWriter request;
  request.bytes_field(1, unit.data());
  return request.take();
}

std::string string_body(const std::string& text) {
  WireWriter value;
  value.bytes_field(1, text);
  WireWriter record;
  record.bytes_field(5, value.data());
  return record.take();
}

TEST_CASE("OTLP/protobuf: a malformed record is rejected by its path, the records beside it kept") {
  WireWriter time_as_varint;  // time_unix_nano is fixed64
  time_as_varint.varint_field(1, 1759649400);
  WireWriter bad_utf8;
  bad_utf8.bytes_field(3, "ERR\xC3\x28");
  WireWriter cut_off;  // a body whose string claims more bytes than the record holds
  cut_off.bytes_field(5, std::string("\x0a\x10short", 7));
  WireWriter far_future;
  far_future.fixed64_field(11, UINT64_MAX);
  const std::string body = protobuf_request(
      {string_body("ok 0"), time_as_varint.data(), bad_utf8.data(), cut_off.data(), far_future.data(), string_body("ok 1")});
  ParseResult result = parse(body, InputFormat::otlp_protobuf);
  CHECK(result.otlp);
  CHECK_FALSE(result.request_unreadable);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "ok 0");
  CHECK(result.records[1].text == "ok 1");
  CHECK(result.input_records == 6);
  REQUIRE(result.errors.size() == 4);
  const std::string path = "resource_logs[0].scope_logs[0].log_records";
  CHECK(result.errors[0].field == path + "[1].time_unix_nano");
  CHECK(result.errors[0].message.find("expected wire type 1 (64-bit), got 0 (varint)") != std::string::npos);
  CHECK(result.errors[0].index == 1);
  CHECK(result.errors[1].field == path + "[2].severity_text");
  CHECK(result.errors[1].message.starts_with("invalid UTF-8 at byte "));
  CHECK(result.errors[2].field == path + "[3].body");
  CHECK(result.errors[2].message.find("runs past the end of the message") != std::string::npos);
  CHECK(result.errors[3].field == path + "[4].observed_time_unix_nano");
  CHECK(result.errors[3].message.find("after 2262") != std::string::npos);
  for (const RecordError& error : result.errors) CHECK(error.offset < body.size());
}

TEST_CASE("OTLP/protobuf: a resource that cannot be read rejects each of its records") {
  WireWriter bad_attribute;  // KeyValue.key as a varint
  bad_attribute.varint_field(1, 7);
  WireWriter resource;
  resource.bytes_field(1, bad_attribute.data());
  std::string body = protobuf_request({string_body("a"), string_body("b")}, resource.data()) +
                     protobuf_request({string_body("c")});
  ParseResult result = parse(body, InputFormat::otlp_protobuf);
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "c");
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].field == "resource_logs[0].resource.attributes[0].key");
  CHECK(result.errors[0].index == 0);
  CHECK(result.errors[1].index == 1);
}

TEST_CASE("OTLP/protobuf: a body that is not protobuf is unreadable as a whole, and says what it looks like") {
  for (std::string body : {std::string("\x0a\x7f\x0a\x02", 4), std::string(R"({"resourceLogs":[]})"),
                           std::string("\x0a\x02\x0a", 3)}) {
    ParseResult result = parse(body, InputFormat::otlp_protobuf);
    CHECK(result.otlp);
    CHECK(result.request_unreadable);
    CHECK(result.records.empty());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.starts_with("not a protobuf ExportLogsServiceRequest: "));
  }
  CHECK(parse(R"({"resourceLogs":[]})", InputFormat::otlp_protobuf).errors[0].message.ends_with(
      "(the body looks like JSON: send it with Content-Type: application/json)"));
  // resource_logs with another wire type: the request's schema is not this one.
  WireWriter wrong;
  wrong.varint_field(1, 3);
  ParseResult result = parse(wrong.data(), InputFormat::otlp_protobuf);
  CHECK(result.request_unreadable);
  // An empty request (zero bytes) is a valid one: nothing to ingest.
  ParseResult empty = parse("", InputFormat::otlp_protobuf);
  CHECK(empty.otlp);
  CHECK(empty.errors.empty());
  CHECK(empty.records.empty());
}

TEST_CASE("OTLP/protobuf: unknown fields skipped, the last of a oneof wins, profiling string indexes ignored") {
  WireWriter value;
  value.bytes_field(1, "first");
  value.bytes_field(1, "second");
  value.varint_field(8, 4);  // string_value_strindex
  WireWriter record;
  record.bytes_field(5, value.data());
  record.varint_field(99, 1);
  record.fixed32_field(98, 1);
  WireWriter pair;
  pair.varint_field(3, 2);  // key_strindex
  pair.bytes_field(1, "service.name");
  WireWriter service;
  service.bytes_field(1, "api");
  pair.bytes_field(2, service.data());
  record.bytes_field(6, pair.data());
  ParseResult result = parse(protobuf_request({record.data()}), InputFormat::otlp_protobuf);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "second");
  CHECK(result.records[0].service == "api");
}

TEST_CASE("OTLP/protobuf: values nested deeper than the limit are refused, not recursed into") {
  WireWriter inner;
  inner.bytes_field(1, "bottom");
  std::string value = inner.take();
  for (int i = 0; i < 1000; ++i) {
    WireWriter array;
    array.bytes_field(1, value);
    WireWriter any;
    any.bytes_field(5, array.data());
    value = any.take();
  }
  WireWriter record;
  record.bytes_field(5, value);
  ParseResult result = parse(protobuf_request({record.data(), string_body("ok")}), InputFormat::otlp_protobuf);
  REQUIRE(result.records.size() == 1);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message == "nested deeper than 64 levels");
}

}  // namespace
}  // namespace faultline
