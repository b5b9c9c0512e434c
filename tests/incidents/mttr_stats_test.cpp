#include <doctest/doctest.h>

#include "incidents/mttr_stats.h"

namespace faultline {
namespace {

Timestamp at(int seconds) { return Timestamp{std::chrono::seconds(1'800'000'000 + seconds)}; }

Incident incident(std::string service, int opened, std::optional<int> acked, std::optional<int> resolved,
                  std::string by = "auto") {
  Incident i;
  i.service = std::move(service);
  i.opened_at = at(opened);
  if (acked) i.acknowledged_at = at(*acked);
  if (resolved) {
    i.state = IncidentState::resolved;
    i.resolved_at = at(*resolved);
    i.resolved_by = by;
  }
  return i;
}

}  // namespace

TEST_CASE("nearest-rank percentiles") {
  auto s = duration_stats({4, 1, 3, 2});
  CHECK(s.count == 4);
  CHECK(*s.mean == doctest::Approx(2.5));
  CHECK(*s.p50 == 2);
  CHECK(*s.p90 == 4);
  CHECK_FALSE(duration_stats({}).mean);
}

TEST_CASE("MTTR split by resolver, MTTA without the never-acknowledged, window and service") {
  std::vector<Incident> incidents = {
      incident("a", 0, 60, 600, "alice"),   // manual, MTTR 600, MTTA 60
      incident("a", 0, std::nullopt, 300),  // auto, MTTR 300, never acked
      incident("b", 0, 120, std::nullopt),  // open, MTTA 120
      incident("b", -10000, std::nullopt, -9000),  // resolved before the window
  };
  auto report = compute_mttr(incidents, at(0), std::nullopt);
  CHECK(report.overall.mttr.count == 2);
  CHECK(*report.overall.mttr.mean == doctest::Approx(450));
  CHECK(report.overall.mttr_auto.count == 1);
  CHECK(report.overall.mttr_manual.count == 1);
  CHECK(report.overall.mtta.count == 2);
  CHECK(*report.overall.mtta.mean == doctest::Approx(90));
  CHECK(report.services.at("a").mttr.count == 2);
  CHECK(report.services.at("b").mtta.count == 1);
  CHECK(compute_mttr(incidents, std::nullopt, std::string("b")).overall.mttr.count == 1);
  auto json = to_json(report.overall);
  CHECK(json["mttr"]["by_resolved_by"]["manual"]["p50_seconds"] == 600.0);
}

}  // namespace faultline
