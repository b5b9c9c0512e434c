// LogEntry shapes the corpus does not cover: GKE, GCE, jobs, audit, payload
// fallbacks and time fallbacks.
#include "parsers/log_entry.h"

#include <doctest/doctest.h>

#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

LogRecord one(std::string_view body, const ParseOptions& options = {}) {
  ParseResult result = parse(body, InputFormat::logentry, options);
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 1);
  return result.records[0];
}

TEST_CASE("GKE container: container name is the service, namespace and cluster kept beside it") {
  LogRecord r = one(R"({"insertId":"abc","logName":"projects/p/logs/stderr",
    "resource":{"type":"k8s_container","labels":{"project_id":"p","location":"europe-west1",
      "cluster_name":"prod-1","namespace_name":"shop","pod_name":"web-7d4b9c8f6d-x2x9z","container_name":"web"}},
    "labels":{"k8s-pod/app":"web","k8s-pod/pod-template-hash":"7d4b9c8f6d"},
    "severity":"ERROR","textPayload":"ModuleNotFoundError: No module named 'x'\n",
    "timestamp":"2025-10-01T10:00:00.5Z"})");
  CHECK(r.service == "web");
  CHECK(r.namespace_name == "shop");
  CHECK(r.cluster == "prod-1");
  CHECK(r.revision == "7d4b9c8f6d");
  CHECK(r.instance == "web-7d4b9c8f6d-x2x9z");
  CHECK(r.stream == "stderr");
  CHECK(r.resource_type == "k8s_container");
  CHECK(r.text == "ModuleNotFoundError: No module named 'x'");
  CHECK(r.source_id == "abc|projects/p/logs/stderr");
}

TEST_CASE("GKE container without a pod-template-hash label has no revision") {
  LogRecord r = one(R"({"logName":"projects/p/logs/stdout","resource":{"type":"k8s_container",
    "labels":{"cluster_name":"c","namespace_name":"n","pod_name":"job-x","container_name":"worker"}},
    "textPayload":"ok"})");
  CHECK(r.revision.empty());
  CHECK(r.stream == "stdout");
}

TEST_CASE("kubelet BackOff event on a k8s_pod names the container from involvedObject.fieldPath") {
  LogRecord r = one(R"json({"insertId":"e1","logName":"projects/p/logs/events",
    "resource":{"type":"k8s_pod","labels":{"cluster_name":"prod-1","namespace_name":"shop","pod_name":"web-7d4b9c8f6d-x2x9z"}},
    "jsonPayload":{"kind":"Event","reason":"BackOff","involvedObject":{"kind":"Pod","name":"web-7d4b9c8f6d-x2x9z",
      "fieldPath":"spec.containers{web}"},
      "message":"Back-off restarting failed container web in pod web-7d4b9c8f6d-x2x9z_shop(1234)"},
    "severity":"WARNING","timestamp":"2025-10-01T10:00:00Z"})json");
  CHECK(r.service == "web");
  CHECK(r.namespace_name == "shop");
  CHECK(r.cluster == "prod-1");
  CHECK(r.instance == "web-7d4b9c8f6d-x2x9z");
  CHECK(r.stream == "events");
  CHECK(r.text.starts_with("Back-off restarting failed container web"));
}

TEST_CASE("GCE instance id is the service and the instance") {
  LogRecord r = one(R"({"logName":"projects/p/logs/syslog","resource":{"type":"gce_instance",
    "labels":{"instance_id":"4417125433891","zone":"us-central1-a"}},"textPayload":"kernel: Out of memory"})");
  CHECK(r.service == "4417125433891");
  CHECK(r.instance == "4417125433891");
  CHECK(r.stream == "syslog");
}

TEST_CASE("Cloud Run job: the job name is the service") {
  LogRecord r = one(
      R"({"logName":"projects/p/logs/run.googleapis.com%2Fstderr","resource":{"type":"cloud_run_job",
    "labels":{"job_name":"nightly-export","location":"us-central1"}},"labels":{"instanceId":"00ab"},
    "textPayload":"Traceback (most recent call last):"})");
  CHECK(r.service == "nightly-export");
  CHECK(r.instance == "00ab");
  CHECK(r.stream == "stderr");
  CHECK(r.revision.empty());
}

TEST_CASE("unknown resource types fall back to labels.service, then the caller's default") {
  ParseOptions options;
  options.service = "from-query";
  LogRecord labelled = one(R"({"logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity",
    "resource":{"type":"audited_resource","labels":{"service":"run.googleapis.com","method":"x"}},
    "labels":{"service":"billing"},"protoPayload":{"status":{"code":7}}})",
                           options);
  CHECK(labelled.service == "billing");
  CHECK(labelled.stream == "audit");
  LogRecord bare =
      one(R"({"resource":{"type":"audited_resource","labels":{"service":"run.googleapis.com"}},
    "protoPayload":{"status":{"code":7}}})",
          options);
  CHECK(bare.service == "from-query");
}

TEST_CASE("time: timestamp, else receiveTimestamp, else arrival") {
  ParseOptions options;
  options.arrival = *parse_rfc3339("2030-01-01T00:00:00Z");
  CHECK(
      one(R"({"textPayload":"a","timestamp":"2025-01-01T00:00:01.123456789Z","receiveTimestamp":"2025-01-01T00:00:09Z"})",
          options)
          .time == *parse_rfc3339("2025-01-01T00:00:01.123456789Z"));
  CHECK(
      one(R"({"textPayload":"a","receiveTimestamp":"2025-01-01T00:00:09+02:00"})", options).time ==
      *parse_rfc3339("2024-12-31T22:00:09Z"));
  CHECK(one(R"({"textPayload":"a"})", options).time == options.arrival);
}

TEST_CASE("text: jsonPayload msg / log, else the compact payload, one trailing newline removed") {
  CHECK(one(R"({"jsonPayload":{"msg":"from msg","level":"error"}})").text == "from msg");
  CHECK(one(R"({"jsonPayload":{"log":"from log\n"}})").text == "from log");
  CHECK(one(R"({"jsonPayload":{"message":{"nested":true},"msg":"string wins"}})").text ==
        "string wins");
  CHECK(one(R"({"jsonPayload":{"event":"rollout","ok":false}})").text ==
        R"({"event":"rollout","ok":false})");
  CHECK(one(R"({"textPayload":"two\n\n"})").text == "two\n");
  CHECK(one(R"({"textPayload":"crlf\r\n"})").text == "crlf");
  CHECK(one(R"({"insertId":"x"})").text.empty());
}

TEST_CASE("httpRequest.status is kept even when the entry has a text payload") {
  LogRecord r = one(
      R"({"textPayload":"upstream timed out","httpRequest":{"status":503,"requestMethod":"GET"}})");
  CHECK(r.text == "upstream timed out");
  CHECK(r.http_status == 503);
  LogRecord request = one(R"({"logName":"projects/p/logs/run.googleapis.com%2Frequests",
    "httpRequest":{"requestMethod":"GET","status":"404","requestUrl":"https://x.a.run.app/api"}})");
  CHECK(request.text == "GET 404 https://x.a.run.app/api");
  CHECK(request.http_status == 404);
}

TEST_CASE("severity is kept as written, the numeric LogSeverity form is named") {
  CHECK(one(R"({"textPayload":"a","severity":"Error"})").severity == "Error");
  CHECK(one(R"({"textPayload":"a","severity":500})").severity == "ERROR");
  CHECK(one(R"({"textPayload":"a"})").severity.empty());
}

TEST_CASE("source_id needs an insertId") {
  CHECK(one(R"({"textPayload":"a","logName":"projects/p/logs/x"})").source_id.empty());
  CHECK(one(R"({"textPayload":"a","insertId":"i1"})").source_id == "i1|");
}

TEST_CASE("stream from logName") {
  CHECK(stream_from_log_name("projects/p/logs/run.googleapis.com%2Fstderr") == "stderr");
  CHECK(stream_from_log_name("projects/p/logs/run.googleapis.com%2Fstdout") == "stdout");
  CHECK(stream_from_log_name("projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem") == "system");
  CHECK(stream_from_log_name("projects/p/logs/run.googleapis.com%2Frequests") == "requests");
  CHECK(stream_from_log_name("projects/p/logs/cloudaudit.googleapis.com%2Fsystem_event") ==
        "audit");
  CHECK(stream_from_log_name("projects/p/logs/cloudaudit.googleapis.com%2Fdata_access") == "audit");
  CHECK(stream_from_log_name("projects/p/logs/stderr") == "stderr");
  CHECK(stream_from_log_name("projects/p/logs/kubelet") == "system");
  CHECK(stream_from_log_name("projects/p/logs/container-runtime") == "system");
  CHECK(stream_from_log_name("projects/p/logs/events") == "events");
  CHECK(stream_from_log_name("organizations/1/logs/my-app") == "my-app");
  CHECK(stream_from_log_name("projects/p/logs/bad%zzescape") == "bad%zzescape");
}

TEST_CASE("deeply nested payloads are refused, not dumped") {
  std::string deep =
      R"({"jsonPayload":{"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}}";
  ParseResult result = parse(deep, InputFormat::logentry);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].field == "jsonPayload");
  CHECK(result.errors[0].message.find("nested deeper than") != std::string::npos);
  CHECK(result.records.empty());
}

// NDJSON lines and array elements that are LogEntries are read without a DOM
// (log_entry_ondemand.h); what a sniffing reader takes for another format stays
// that format, and the records are those of the DOM path.
TEST_CASE("an NDJSON export reads the same with or without the DOM, and other formats stay theirs") {
  const std::string cloud_run =
      R"({"insertId":"i1","logName":"projects/p/logs/run.googleapis.com%2Fstderr",)"
      R"("resource":{"type":"cloud_run_revision","labels":{"service_name":"api","revision_name":"api-00002-abc"}},)"
      R"("labels":{"instanceId":"00bf4bf02d"},"severity":"ERROR","textPayload":"Container called exit(3).\n",)"
      R"("timestamp":"2025-10-01T10:00:00.123456789Z","receiveTimestamp":"2025-10-01T10:00:01Z"})";
  // The same entry with a jsonPayload member goes through the DOM.
  const std::string with_payload = R"({"insertId":"i2","logName":"projects/p/logs/x","resource":{"type":"cloud_run_revision",)"
                                   R"("labels":{"service_name":"api","revision_name":"api-00002-abc"}},)"
                                   R"("jsonPayload":{"message":"Container called exit(3)."},"timestamp":"2025-10-01T10:00:00Z"})";
  ParseResult both = parse(cloud_run + "\n" + with_payload + "\n", InputFormat::ndjson);
  INFO(all_errors(both));
  REQUIRE(both.records.size() == 2);
  CHECK(both.records[0].service == "api");
  CHECK(both.records[0].revision == "api-00002-abc");
  CHECK(both.records[0].instance == "00bf4bf02d");
  CHECK(both.records[0].stream == "stderr");
  CHECK(both.records[0].severity == "ERROR");
  CHECK(both.records[0].text == "Container called exit(3).");
  CHECK(both.records[0].source_id == "i1|projects/p/logs/run.googleapis.com%2Fstderr");
  CHECK(both.records[1].text == "Container called exit(3).");
  CHECK(both.records[1].service == "api");

  // A body with resourceLogs is OTLP/JSON even beside a LogEntry member.
  ParseResult otlp = parse(R"({"logName":"projects/p/logs/x","resourceLogs":[{"resource":{"attributes":[)"
                           R"({"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeLogs":[{"logRecords":[)"
                           R"({"body":{"stringValue":"hello"}}]}]}]})",
                           InputFormat::ndjson);
  INFO(all_errors(otlp));
  REQUIRE(otlp.records.size() == 1);
  CHECK(otlp.records[0].service == "checkout");
  CHECK(otlp.records[0].text == "hello");

  // A body whose "message" is an object is a Pub/Sub push envelope when sniffed.
  ParseResult envelope = parse(R"({"textPayload":"x","message":{"data":"eyJ0ZXh0UGF5bG9hZCI6ImlubmVyIn0=",)"
                               R"("messageId":"m1"},"subscription":"s"})",
                               InputFormat::automatic);
  INFO(all_errors(envelope));
  REQUIRE(envelope.records.size() == 1);
  CHECK(envelope.records[0].text == "inner");
}

}  // namespace
}  // namespace faultline
