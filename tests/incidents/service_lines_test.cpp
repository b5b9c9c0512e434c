// ServiceLines: the bounded sample of each service's unmatched lines that
// suggested rules take their no_match examples from.
#include <doctest/doctest.h>

#include <set>

#include "incidents/service_lines.h"

using namespace faultline;

namespace {

LogRecord line(std::string service, std::string text, std::string namespace_name = "") {
  LogRecord r;
  r.service = std::move(service);
  r.namespace_name = std::move(namespace_name);
  r.text = std::move(text);
  return r;
}

}  // namespace

TEST_CASE("each service keeps a few of its own lines, apart from other services and namespaces") {
  ServiceLines lines(ServiceLines::Limits{});
  lines.note(line("api", "listening on :8080"));
  lines.note(line("api", "GET /health 200\nsecond line"));
  lines.note(line("worker", "picked job 17"));
  lines.note(line("api", "boot in prod", "shop"));
  const auto api = lines.sample("", "", "api");
  CHECK(std::set<std::string>(api.begin(), api.end()) == std::set<std::string>{"listening on :8080", "GET /health 200"});
  CHECK(lines.sample("", "", "worker") == std::vector<std::string>{"picked job 17"});
  CHECK(lines.sample("", "shop", "api") == std::vector<std::string>{"boot in prod"});
  CHECK(lines.sample("", "", "nobody").empty());
  CHECK(lines.services() == 3);
}

TEST_CASE("the sample stays within its slots per service and its number of services") {
  ServiceLines::Limits limits;
  limits.lines_per_service = 4;
  limits.services = 10;
  ServiceLines lines(limits);
  for (int i = 0; i < 10'000; ++i) lines.note(line("svc" + std::to_string(i % 50), "line " + std::to_string(i)));
  CHECK(lines.services() == 10);
  for (int s = 40; s < 50; ++s) {
    const auto sample = lines.sample("", "", "svc" + std::to_string(s));
    CHECK(!sample.empty());
    CHECK(sample.size() <= 4);
  }
  CHECK(lines.sample("", "", "svc0").empty());  // written least recently: dropped
}
