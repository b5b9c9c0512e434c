#include "incidents/mttr_stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace faultline {
namespace {

struct Samples {
  std::vector<double> mttr, mttr_auto, mttr_manual, mtta;
  MttrFigures figures() {
    return {duration_stats(std::move(mttr)), duration_stats(std::move(mttr_auto)),
            duration_stats(std::move(mttr_manual)), duration_stats(std::move(mtta))};
  }
};

struct RevisionSamples {
  size_t incidents = 0;
  bool bad_deploy = false;
  std::vector<double> mttr, mtta;
};

std::optional<double> mean(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double seconds(Timestamp from, Timestamp to) { return std::chrono::duration<double>(to - from).count(); }

nlohmann::json to_json(const DurationStats& stats) {
  auto value = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"count", stats.count},
          {"mean_seconds", value(stats.mean)},
          {"p50_seconds", value(stats.p50)},
          {"p90_seconds", value(stats.p90)}};
}

}  // namespace

DurationStats duration_stats(std::vector<double> values) {
  DurationStats stats;
  stats.count = values.size();
  if (values.empty()) return stats;
  std::sort(values.begin(), values.end());
  stats.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  auto rank = [&](double q) {
    size_t index = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(index, 1, values.size()) - 1];
  };
  stats.p50 = rank(0.5);
  stats.p90 = rank(0.9);
  return stats;
}

MttrReport compute_mttr(const std::vector<Incident>& incidents, std::optional<Timestamp> since,
                        const std::optional<std::string>& service) {
  Samples overall;
  std::map<std::string, Samples> per_service;
  std::map<std::pair<std::string, std::string>, RevisionSamples> per_revision;
  auto within = [&](const std::optional<Timestamp>& t) { return t && (!since || *t >= *since); };
  for (const Incident& incident : incidents) {
    if (service && incident.service != *service) continue;
    Samples& mine = per_service[incident.service];
    RevisionSamples* revision = nullptr;
    if (incident.deploy && (!incident.resolved_at || within(incident.opened_at) || within(incident.acknowledged_at) ||
                            within(incident.resolved_at))) {
      revision = &per_revision[{incident.service, incident.deploy->revision}];
      ++revision->incidents;
      revision->bad_deploy = revision->bad_deploy || incident.deploy->bad_deploy;
    }
    if (incident.state == IncidentState::resolved && within(incident.resolved_at)) {
      double value = std::max(0.0, seconds(incident.opened_at, *incident.resolved_at));
      const bool automatic = incident.resolved_by && *incident.resolved_by == "auto";
      for (Samples* s : {&overall, &mine}) {
        s->mttr.push_back(value);
        (automatic ? s->mttr_auto : s->mttr_manual).push_back(value);
      }
      if (revision) revision->mttr.push_back(value);
    }
    if (within(incident.acknowledged_at)) {
      double value = std::max(0.0, seconds(incident.opened_at, *incident.acknowledged_at));
      overall.mtta.push_back(value);
      mine.mtta.push_back(value);
      if (revision) revision->mtta.push_back(value);
    }
  }
  MttrReport report;
  report.overall = overall.figures();
  for (auto& [name, samples] : per_service) report.services[name] = samples.figures();
  for (const auto& [key, samples] : per_revision)
    report.revisions.push_back(RevisionFigures{key.first, key.second, samples.incidents, samples.mttr.size(),
                                               samples.bad_deploy, mean(samples.mttr), mean(samples.mtta)});
  return report;
}

nlohmann::json to_json(const MttrFigures& figures) {
  nlohmann::json mttr = to_json(figures.mttr);
  mttr["by_resolved_by"] = {{"auto", to_json(figures.mttr_auto)}, {"manual", to_json(figures.mttr_manual)}};
  return {{"mttr", mttr}, {"mtta", to_json(figures.mtta)}};
}

nlohmann::json to_json(const std::vector<RevisionFigures>& revisions) {
  auto value = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json out = nlohmann::json::array();
  for (const RevisionFigures& r : revisions)
    out.push_back({{"service", r.service},
                   {"revision", r.revision},
                   {"incidents", r.incidents},
                   {"resolved", r.resolved},
                   {"bad_deploy", r.bad_deploy},
                   {"mttr_seconds", value(r.mttr_seconds)},
                   {"mtta_seconds", value(r.mtta_seconds)}});
  return out;
}

}  // namespace faultline
