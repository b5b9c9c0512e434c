// MTTR / MTTA figures for GET /api/v1/stats/mttr, from incidents in memory.
//
// MTTR = resolved_at - opened_at over incidents resolved within the window,
// also split by who resolved (resolved_by "auto" vs a person: "manual").
// MTTA = acknowledged_at - opened_at over incidents acknowledged within the
// window; incidents never acknowledged are left out, not counted as zero.
// Percentiles are nearest-rank (p50 of 1,2,3,4 is 2): always an observed value.
// Times are seconds; mean/p50/p90 are null when count is 0.
//
// Per revision (failed-deployment recovery time): incidents grouped by service
// and the revision they were first seen on (Incident::deploy; incidents without
// a revision are left out). An incident counts when it was opened, acknowledged
// or resolved within the window, or is not resolved yet; `resolved` and
// mttr_seconds (mean) cover those resolved within the window, mtta_seconds
// (mean) those acknowledged within it; bad_deploy when any of them was one.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/incident.h"

namespace faultline {

struct DurationStats {
  size_t count = 0;
  std::optional<double> mean, p50, p90;
};

struct MttrFigures {
  DurationStats mttr, mttr_auto, mttr_manual, mtta;
};

struct RevisionFigures {
  std::string service, revision;
  size_t incidents = 0, resolved = 0;
  bool bad_deploy = false;
  std::optional<double> mttr_seconds, mtta_seconds;
};

struct MttrReport {
  MttrFigures overall;
  std::map<std::string, MttrFigures> services;
  std::vector<RevisionFigures> revisions;  // by service, then revision
};

DurationStats duration_stats(std::vector<double> seconds);
// `since`: start of the window (nullopt: all time). `service`: only that service.
MttrReport compute_mttr(const std::vector<Incident>& incidents, std::optional<Timestamp> since,
                        const std::optional<std::string>& service);
nlohmann::json to_json(const MttrFigures& figures);
// The `by_revision` array of the API.
nlohmann::json to_json(const std::vector<RevisionFigures>& revisions);

}  // namespace faultline
