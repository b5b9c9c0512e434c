#include "server/alerts/alert_notifier.h"

#include <algorithm>

namespace faultline {
namespace {

constexpr auto kIdleWake = std::chrono::hours(1);

std::chrono::nanoseconds backoff(int failures, std::chrono::nanoseconds cap) {
  std::chrono::nanoseconds delay = std::chrono::seconds(1);
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace

AlertTransport http_alert_transport(std::chrono::nanoseconds timeout) {
  return [timeout](const HttpUrl& alertmanager, const std::string& body) {
    return http_post(alertmanager, "/api/v2/alerts", body, "application/json", HttpClientOptions{timeout});
  };
}

AlertNotifier::AlertNotifier(AlertNotifierOptions options, AlertTransport transport, AlertCounter counter,
                             Logger& log, WallClock wall_clock)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      counter_(std::move(counter)),
      log_(log),
      wall_clock_(std::move(wall_clock)) {
  for (const HttpUrl& url : options_.alertmanagers) targets_.push_back(Target{url});
}

AlertNotifier::~AlertNotifier() { stop(); }

void AlertNotifier::seed(const std::vector<Incident>& incidents) {
  std::lock_guard lock(mutex_);
  for (const Incident& incident : incidents) {
    if (incident.state == IncidentState::resolved) continue;
    // Sent before the restart (or about to have been): released and offered, so
    // that resolving it later does reach Alertmanager.
    firing_[incident.id] = Firing{alert_labels(incident), incident, Clock::now(), true, true};
  }
  if (!firing_.empty()) mark_all_dirty_locked();
}

void AlertNotifier::set_external_url_default(const std::string& url) {
  std::lock_guard lock(mutex_);
  if (options_.links.external_url.empty()) options_.links.external_url = url;
}

void AlertNotifier::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void AlertNotifier::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t AlertNotifier::firing() const {
  std::lock_guard lock(mutex_);
  return firing_.size();
}

size_t AlertNotifier::pending_resolved() const {
  std::lock_guard lock(mutex_);
  return resolved_.size();
}

void AlertNotifier::set_sending(bool sending) {
  {
    std::lock_guard lock(mutex_);
    if (sending && !sending_) {
      for (Target& target : targets_) target = Target{target.url};  // dirty, no backoff left over
      changed_ = true;
    }
    sending_ = sending;
  }
  wake_.notify_all();
}

bool AlertNotifier::offered_locked(const Firing& firing) const {
  // A replica that does not send mirrors the leader, which has sent every alert
  // past its group_wait: whoever leads next must resolve those.
  return firing.offered || (!sending_ && firing.release_at <= Clock::now());
}

void AlertNotifier::mark_all_dirty_locked() {
  for (Target& target : targets_) target.dirty = true;
  changed_ = true;
}

void AlertNotifier::resolve_locked(const Firing& firing, Timestamp now) {
  resolved_.push_back(Resolved{next_seq_++, alert_json(firing.incident, options_.links, now, now),
                               std::vector<bool>(targets_.size(), false)});
  if (resolved_.size() > options_.max_pending_resolved) {
    resolved_.pop_front();
    if (counter_ && sending_) counter_("dropped", 1);
  }
  mark_all_dirty_locked();
}

void AlertNotifier::on_change(const IncidentChange& change, const Incident* incident) {
  std::lock_guard lock(mutex_);
  const std::string& id = incident ? incident->id : change.incident_id;
  auto it = firing_.find(id);
  if (!incident || incident->state == IncidentState::resolved) {
    if (it == firing_.end()) return;
    // An alert that never left (a generic exit merged into its cause within
    // group_wait) needs no resolve.
    if (offered_locked(it->second)) {
      if (incident && alert_labels(*incident) == it->second.labels) it->second.incident = *incident;
      resolve_locked(it->second, wall_clock_());
    }
    firing_.erase(it);
    return;
  }
  AlertLabels labels = alert_labels(*incident);
  if (it == firing_.end()) {
    // Reopened incidents page at once; new ones after group_wait.
    const auto wait = change.type == IncidentChange::Type::opened ? options_.group_wait : std::chrono::nanoseconds{0};
    firing_.emplace(id, Firing{std::move(labels), *incident, Clock::now() + wait});
    changed_ = true;
    return;
  }
  Firing& firing = it->second;
  if (firing.labels != labels) {
    // A new identity for Alertmanager: resolve the old label set, fire the new one now.
    if (offered_locked(firing)) resolve_locked(firing, wall_clock_());
    firing.labels = std::move(labels);
    firing.release_at = Clock::now();
    firing.released = false;
    firing.offered = false;
    changed_ = true;
  }
  firing.incident = *incident;  // fresher counts and samples go out with the next re-send
}

void AlertNotifier::on_batch_end() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = std::exchange(changed_, false);
  }
  if (wake) wake_.notify_all();
}

bool AlertNotifier::due_locked(const Target& target, Clock::time_point now) const {
  if (target.retry_at > now) return false;
  if (target.dirty) return true;
  if (now < target.next_resend) return false;
  return std::any_of(firing_.begin(), firing_.end(), [](const auto& entry) { return entry.second.released; });
}

AlertNotifier::Clock::time_point AlertNotifier::next_wake_locked(Clock::time_point now) const {
  Clock::time_point wake = now + kIdleWake;
  const bool any_released =
      std::any_of(firing_.begin(), firing_.end(), [](const auto& entry) { return entry.second.released; });
  for (const Target& target : targets_) {
    if (target.dirty) wake = std::min(wake, target.retry_at);
    else if (any_released) wake = std::min(wake, std::max(target.retry_at, target.next_resend));
  }
  for (const auto& [id, firing] : firing_)
    if (!firing.released) wake = std::min(wake, firing.release_at);
  return wake;
}

void AlertNotifier::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!sending_) {
      wake_.wait(lock, [&] { return stopping_ || sending_; });
      continue;
    }
    const auto now = Clock::now();
    for (auto& [id, firing] : firing_) {
      if (firing.released || firing.release_at > now) continue;
      firing.released = true;
      for (Target& target : targets_) target.dirty = true;
    }
    bool sent = false;
    for (size_t i = 0; i < targets_.size() && !stopping_; ++i) {
      if (!due_locked(targets_[i], now)) continue;
      send(i, lock);
      sent = true;
    }
    if (!sent && !stopping_) wake_.wait_until(lock, next_wake_locked(now));
  }
  // Draining: one last attempt at what each Alertmanager has not heard yet
  // (resolves above all), whatever its backoff says.
  for (size_t i = 0; i < targets_.size() && sending_; ++i)
    if (targets_[i].dirty) send(i, lock);
}

void AlertNotifier::send(size_t index, std::unique_lock<std::mutex>& lock) {
  const Timestamp wall = wall_clock_();
  const Timestamp ends_at = wall + 3 * options_.resend_interval;
  std::vector<nlohmann::json> alerts;
  std::vector<uint64_t> resolved_seqs;
  for (const Resolved& resolved : resolved_) {
    if (resolved.delivered[index]) continue;
    alerts.push_back(resolved.alert);  // old label sets first: resolved before the new one fires
    resolved_seqs.push_back(resolved.seq);
  }
  for (auto& [id, firing] : firing_) {
    if (!firing.released) continue;
    alerts.push_back(alert_json(firing.incident, options_.links, wall, ends_at));
    firing.offered = true;
  }
  targets_[index].dirty = false;  // what changes while we send marks it again
  const HttpUrl url = targets_[index].url;

  lock.unlock();
  size_t delivered = 0;
  HttpClientResult failure;
  for (size_t at = 0; at < alerts.size(); at += options_.max_alerts_per_post) {
    const size_t end = std::min(alerts.size(), at + options_.max_alerts_per_post);
    nlohmann::json body = nlohmann::json::array();
    for (size_t i = at; i < end; ++i) body.push_back(std::move(alerts[i]));
    HttpClientResult result = transport_(url, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!result.ok()) {
      failure = std::move(result);
      break;
    }
    delivered = end;
  }
  const size_t failed = alerts.size() - delivered;
  if (counter_) {
    if (delivered) counter_("sent", delivered);
    if (failed) counter_("failed", failed);
  }
  lock.lock();

  Target& target = targets_[index];
  const auto now = Clock::now();
  // Resolves in the delivered prefix have arrived.
  for (size_t i = 0; i < resolved_seqs.size() && i < delivered; ++i)
    for (Resolved& resolved : resolved_)
      if (resolved.seq == resolved_seqs[i]) resolved.delivered[index] = true;
  std::erase_if(resolved_, [](const Resolved& r) {
    return std::all_of(r.delivered.begin(), r.delivered.end(), [](bool d) { return d; });
  });
  if (failed == 0) {
    if (target.failures > 0)
      log_.info("alerts", "alertmanager reachable again", {{"url", url.text()}, {"failed_attempts", target.failures}});
    target.failures = 0;
    target.retry_at = now;
    target.next_resend = now + options_.resend_interval;
    return;
  }
  ++target.failures;
  target.dirty = true;
  const auto delay = backoff(target.failures, options_.max_backoff);
  target.retry_at = now + delay;
  log_.warn("alerts", "alertmanager push failed",
            {{"url", url.text()}, {"error", failure.describe()}, {"alerts", failed}, {"attempt", target.failures},
             {"retry_in_ms", static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())}});
}

}  // namespace faultline
