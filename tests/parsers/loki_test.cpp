// Loki push JSON, as Promtail, Grafana Alloy and Vector's loki sink send it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::parse;

TEST_CASE("Loki push: labels name the workload, each value is a record") {
  std::string body = R"({"streams":[
    {"stream":{"service_name":"checkout","pod":"checkout-5d9f-abcde","stream":"stderr","namespace":"shop","level":"error"},
     "values":[["1758000000123456789","Traceback (most recent call last):\n"],
               ["1758000000223456789","ModuleNotFoundError: No module named 'x'",{"trace_id":"0af7651916cd43dd"}]]},
    {"stream":{"job":"varlogs","instance":"node-1","revision":"r7"},
     "values":[["1758000001000000000","kernel: oom-kill"]]}]})";
  for (InputFormat format : {InputFormat::loki, InputFormat::automatic}) {
    ParseResult result = parse(body, format);
    INFO(all_errors(result));
    REQUIRE(result.errors.empty());
    REQUIRE(result.records.size() == 3);
    CHECK(result.input_records == 3);
    const LogRecord& first = result.records[0];
    CHECK(first.service == "checkout");
    CHECK(first.instance == "checkout-5d9f-abcde");
    CHECK(first.stream == "stderr");
    CHECK(first.namespace_name == "shop");
    CHECK(first.severity == "error");
    CHECK(first.text == "Traceback (most recent call last):");
    CHECK(first.time == *parse_rfc3339("2025-09-16T05:20:00.123456789Z"));
    CHECK(result.records[1].text == "ModuleNotFoundError: No module named 'x'");
    CHECK(result.records[2].service == "varlogs");
    CHECK(result.records[2].instance == "node-1");
    CHECK(result.records[2].revision == "r7");
  }
}

TEST_CASE("Loki push: service and instance come from the labels in the documented order") {
  struct Case {
    std::string labels;  // a JSON object
    std::string service, instance;
  };
  const std::vector<Case> cases = {
      {R"({"app":"a","service_name":"sn","service":"s"})", "sn", ""},
      {R"({"app":"a","service":"s"})", "s", ""},
      {R"({"container":"c","app_kubernetes_io_name":"k","job":"j"})", "k", ""},
      // Promtail's Kubernetes discovery: job is namespace/name, pod the instance.
      {R"({"job":"shop/checkout","namespace":"shop","pod":"checkout-7d4-x2","instance":"10.0.0.7:3100"})", "checkout",
       "checkout-7d4-x2"},
      {R"({"job":"integrations/docker/"})", "unknown", ""},
      // The Docker driver: the compose service over the container name, which is the instance.
      {R"({"container_name":"shop-web-1","compose_service":"web","host":"docker-1"})", "web", "shop-web-1"},
      {R"({"container_name":"/lonely","host":"docker-1"})", "lonely", "lonely"},
      {R"({"container":"/api","hostname":"h"})", "api", "h"},
      {R"({"service_name":"","app":"fallback"})", "fallback", ""},
      {R"({"filename":"/var/log/syslog"})", "unknown", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.labels);
    ParseResult result = parse(R"({"streams":[{"stream":)" + c.labels + R"(,"values":[["1","x"]]}]})", InputFormat::loki);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].service == c.service);
    CHECK(result.records[0].instance == c.instance);
  }
}

TEST_CASE("Loki push: a bad value is rejected by its path, its neighbours kept") {
  std::string body = R"({"streams":[
    {"stream":{"app":"a"},"values":[["1758000000000000000","ok 0"],["soon","bad time"],["1758000000000000001",7],["1758000000000000002"]]},
    {"stream":{"app":"b"},"values":"not an array"},
    {"stream":{"app":"c","replicas":3},"values":[["1","x"]]},
    {"stream":{"app":"d"},"values":[["1758000000000000003","ok 1"]]}]})";
  ParseResult result = parse(body, InputFormat::loki);
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "ok 0");
  CHECK(result.records[1].text == "ok 1");
  REQUIRE(result.errors.size() == 5);
  CHECK(result.errors[0].field == "streams[0].values[1][0]");
  CHECK(result.errors[0].message == "not a Unix timestamp in nanoseconds: \"soon\"");
  CHECK(result.errors[0].index == 1);
  CHECK(result.errors[1].field == "streams[0].values[2][1]");
  CHECK(result.errors[2].field == "streams[0].values[3]");
  CHECK(result.errors[3].field == "streams[1].values");
  CHECK(result.errors[3].index == 4);
  CHECK(result.errors[4].field == "streams[2].stream.replicas");
  CHECK(result.errors[4].index == 5);
}

TEST_CASE("Loki push: a body without streams, and an empty push") {
  ParseResult missing = parse(R"({"entries":[]})", InputFormat::loki);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].field == "streams");
  ParseResult empty = parse(R"({"streams":[]})", InputFormat::loki);
  CHECK(empty.errors.empty());
  CHECK(empty.records.empty());
}

TEST_CASE("Loki push: a line over max_line_bytes is refused by the limit") {
  ParseOptions options;
  options.max_line_bytes = 10;
  ParseResult result =
      parse(R"({"streams":[{"stream":{},"values":[["1","short"],["2","much too long a line"]]}]})",
            InputFormat::loki, options);
  REQUIRE(result.records.size() == 1);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].limit == "max_line_bytes");
  CHECK(result.errors[0].index == 1);
}

}  // namespace
}  // namespace faultline
