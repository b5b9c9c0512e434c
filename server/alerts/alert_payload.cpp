#include "server/alerts/alert_payload.h"

#include <algorithm>

namespace faultline {
namespace {

constexpr size_t kMaxSample = 300;  // Alertmanager templates and pagers truncate long lines anyway

std::string clipped(std::string_view text) {
  if (text.size() <= kMaxSample) return std::string(text);
  size_t cut = kMaxSample;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return std::string(text.substr(0, cut)) + "…";
}

std::string culprit(const Incident& incident) {
  const auto& frame = incident.root_cause.frame;
  if (!frame) return "";
  std::string out = frame->file + ":" + std::to_string(frame->line);
  if (!frame->function.empty()) out += " in " + frame->function;
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

AlertLabels alert_labels(const Incident& incident) {
  return {{"alertname", "FaultlineIncident"},
          {"service", incident.service.empty() ? "unknown" : incident.service},
          {"root_cause", incident.root_cause.rule},
          {"severity", std::string(to_string(incident.severity))},
          {"crash_loop", incident.crash_loop ? "true" : "false"},
          {"incident_id", incident.id}};
}

std::string cascade_description(const Incident& incident) {
  std::string out;
  for (const ChainLink& link : incident.chain) {
    out += std::string(to_string(link.kind)) + " " + link.rule + " x" + std::to_string(link.count);
    if (!link.sample.empty()) out += ": " + clipped(link.sample);
    out += "\n";
  }
  if (!incident.exit_codes.empty()) {
    out += "exit codes:";
    for (const auto& [code, count] : incident.exit_codes) out += " " + code + " x" + std::to_string(count);
    out += "\n";
  }
  if (std::string where = culprit(incident); !where.empty()) out += "culprit: " + where + "\n";
  if (incident.deploy && incident.deploy->bad_deploy && incident.deploy->previous_revision)
    out += "bad deploy: first seen on " + incident.deploy->revision + "; " + *incident.deploy->previous_revision +
           " before it was healthy\n";
  out += "instances: " + std::to_string(incident.instances.size());
  if (!incident.revisions.empty()) out += ", revision " + incident.revisions.back();
  if (incident.crash_loop) out += ", crash loop";
  return out;
}

nlohmann::json alert_json(const Incident& incident, const AlertLinks& links, Timestamp now, Timestamp ends_at) {
  const std::string incident_url = links.external_url + "/api/v1/incidents/" + incident.id;
  nlohmann::json annotations = {
      {"summary", incident.summary.empty() ? incident.root_cause.rule + " in " + incident.service : incident.summary},
      {"description", cascade_description(incident)},
      {"incident_url", incident_url},
      {"exits", std::to_string(incident.exits)},
      {"instances", std::to_string(incident.instances.size())},
  };
  if (!incident.hint.empty()) annotations["hint"] = incident.hint;
  if (std::string where = culprit(incident); !where.empty()) annotations["culprit"] = where;
  if (!incident.root_cause.message.empty()) annotations["sample"] = clipped(incident.root_cause.message);
  if (!links.runbook_url.empty()) annotations["runbook_url"] = replace_all(links.runbook_url, "{rule}", incident.root_cause.rule);
  if (!incident.revisions.empty()) annotations["revision"] = incident.revisions.front();
  if (incident.deploy && incident.deploy->rollback_hint) annotations["rollback_hint"] = *incident.deploy->rollback_hint;

  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : alert_labels(incident)) labels[name] = value;
  // Log time can run ahead of the wall clock (skewed hosts); Alertmanager refuses
  // an alert that ends before it starts.
  const Timestamp starts_at = std::min({incident.opened_at == Timestamp{} ? now : incident.opened_at, now, ends_at});
  return {{"labels", labels},
          {"annotations", annotations},
          {"startsAt", format_rfc3339(starts_at)},
          {"endsAt", format_rfc3339(ends_at)},
          {"generatorURL", incident_url}};
}

}  // namespace faultline
