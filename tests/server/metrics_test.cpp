#include <doctest/doctest.h>

#include "server/label_cap.h"
#include "server/metrics.h"

namespace faultline {
namespace {

Incident incident(std::string id, std::string service, IncidentState state, bool crash_loop = false) {
  Incident i;
  i.id = std::move(id);
  i.service = std::move(service);
  i.state = state;
  i.severity = Severity::critical;
  i.crash_loop = crash_loop;
  i.root_cause.rule = "python_module_not_found";
  return i;
}

bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

}  // namespace

TEST_CASE("label cap folds new values beyond the cap into _other") {
  LabelCap cap(2);
  bool folded = false;
  CHECK(cap.admit("a") == "a");
  CHECK(cap.admit("b") == "b");
  CHECK(cap.admit("c", &folded) == "_other");
  CHECK(folded);
  CHECK(cap.admit("a", &folded) == "a");
  CHECK_FALSE(folded);
}

TEST_CASE("incident changes drive counters, the open gauge and crash-loop transitions") {
  Metrics metrics({2, "1.2.3"});
  Incident a = incident("a", "svc", IncidentState::open);
  metrics.on_change({IncidentChange::Type::opened, "a", ""}, &a);
  a.crash_loop = true;
  metrics.on_change({IncidentChange::Type::escalated, "a", ""}, &a);
  metrics.on_change({IncidentChange::Type::updated, "a", ""}, &a);  // still one crash loop
  metrics.on_batch_end();
  std::string text = metrics.serialize();
  CHECK(has(text, R"(faultline_incidents_opened_total{root_cause="python_module_not_found",service="svc"} 1)"));
  CHECK(has(text, R"(faultline_crash_loops_total{service="svc"} 1)"));
  CHECK(has(text, R"(faultline_incidents_open{service="svc",severity="critical"} 1)"));
  CHECK(has(text, R"(faultline_build_info{version="1.2.3"} 1)"));
  CHECK(has(text, R"(faultline_alerts_sent_total{result="failed"} 0)"));

  a.state = IncidentState::resolved;
  a.resolved_by = "auto";
  a.resolved_at = a.opened_at + std::chrono::minutes(10);
  metrics.on_change({IncidentChange::Type::resolved, "a", ""}, &a);
  metrics.on_batch_end();
  text = metrics.serialize();
  CHECK(has(text, R"(faultline_incidents_open{service="svc",severity="critical"} 0)"));
  CHECK(has(text, R"(faultline_incidents_resolved_total{resolved_by="auto",service="svc"} 1)"));
  CHECK(has(text, "faultline_incident_resolve_seconds_count 1"));
}

TEST_CASE("service labels beyond the cap are folded and counted") {
  Metrics metrics({1, "x"});
  Incident a = incident("a", "one", IncidentState::open), b = incident("b", "two", IncidentState::open);
  metrics.on_change({IncidentChange::Type::opened, "a", ""}, &a);
  metrics.on_change({IncidentChange::Type::opened, "b", ""}, &b);
  metrics.on_batch_end();
  std::string text = metrics.serialize();
  CHECK(has(text, R"(service="_other")"));
  CHECK_FALSE(has(text, R"(service="two")"));
  CHECK(has(text, R"(faultline_label_values_dropped_total{label="service"})"));
}

TEST_CASE("rule match counts are readable for /api/v1/rules") {
  Metrics metrics({10, "x"});
  Event e;
  e.rule_id = "container_exit";
  e.kind = RuleKind::exit;
  e.service = "svc";
  e.captures = {{"code", "3"}};
  metrics.on_event(e);
  metrics.on_event(e);
  CHECK(metrics.rule_matches("container_exit") == 2);
  CHECK(metrics.rule_matches("other") == 0);
  CHECK(has(metrics.serialize(), R"(faultline_container_exits_total{code="3",service="svc"} 2)"));
}

}  // namespace faultline
