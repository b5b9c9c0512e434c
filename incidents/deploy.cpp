#include "incidents/deploy.h"

#include <algorithm>

#include "incidents/fingerprint.h"
#include "incidents/revision.h"

namespace faultline {
namespace {

std::string rough_duration(std::chrono::nanoseconds d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

// The root cause by its fingerprint, then the chain's causes and effects by
// rule: exits and loops print the same on every revision.
std::optional<std::string> new_line(const Incident& incident, const RevisionLog& log, const std::string& previous) {
  const RootCause& cause = incident.root_cause;
  if (cause.rule != kGenericExitRule && !cause.message.empty()) {
    auto printed = log.printed(previous, incident.fingerprint);
    if (!printed) return std::nullopt;
    if (!*printed) return cause.message;
  }
  const Scope scope{incident.cluster, incident.namespace_name, incident.service};
  for (const ChainLink& link : incident.chain) {
    if ((link.kind != RuleKind::cause && link.kind != RuleKind::effect) || link.sample.empty()) continue;
    auto printed = log.printed(previous, make_fingerprint(scope, link.rule, std::nullopt), true);
    if (!printed) return std::nullopt;
    if (!*printed) return link.sample;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DeployInfo> correlate_deploy(const Incident& incident, const RevisionLog& log,
                                           std::chrono::nanoseconds window) {
  if (incident.revisions.empty()) return std::nullopt;
  DeployInfo d;
  d.revision = incident.revisions.front();
  const RevisionLog::Seen* seen = log.find(d.revision);
  if (seen) d.revision_first_seen = seen->first;
  d.previous_revision = log.previous(d.revision);
  if (d.previous_revision)
    d.previous_healthy = log.healthy_before(*d.previous_revision, seen ? seen->first : incident.opened_at, window);
  // An incident that also failed on other revisions is not this deploy's fault.
  d.bad_deploy = d.previous_healthy.value_or(false) && incident.revisions.size() == 1;
  if (d.bad_deploy) {
    d.rollback_hint = rollback_command(incident, *d.previous_revision);
    d.new_line = new_line(incident, log, *d.previous_revision);
  }
  return d;
}

std::string rollback_command(const Incident& incident, const std::string& previous) {
  if (!incident.namespace_name.empty())
    return "kubectl rollout undo deployment/" + incident.service + " -n " + incident.namespace_name;
  // LogRecord carries no region, so gcloud uses its configured run/region.
  if (parse_cloud_run_revision(previous))
    return "gcloud run services update-traffic " + incident.service + " --to-revisions=" + previous + "=100";
  return "redeploy revision " + previous + " of " + incident.service;
}

std::string deploy_note(const Incident& incident) {
  if (!incident.deploy || !incident.deploy->previous_revision) return "";
  const DeployInfo& d = *incident.deploy;
  std::string note = "First seen on " + d.revision;
  if (d.revision_first_seen && incident.opened_at - *d.revision_first_seen >= std::chrono::seconds(1))
    note += ", " + rough_duration(incident.opened_at - *d.revision_first_seen) + " after its first event";
  const std::string& previous = *d.previous_revision;
  if (d.bad_deploy && d.new_line)
    note += "; " + previous + " was healthy and never printed `" + *d.new_line + "`: roll back with `" +
            d.rollback_hint.value_or("") + "`.";
  else if (d.bad_deploy)
    note += "; " + previous + " was healthy: roll back with `" + d.rollback_hint.value_or("") + "`.";
  else if (d.previous_healthy == false)
    note += "; " + previous + " was failing too before it, so rolling back to it will not help.";
  else if (d.previous_healthy == true)
    note += "; " + previous + " was healthy, but the failure also occurred on other revisions.";
  else
    note += "; whether " + previous + " before it was healthy is unknown.";
  return note;
}

}  // namespace faultline
