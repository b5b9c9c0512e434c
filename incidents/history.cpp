#include "incidents/history.h"

#include <algorithm>
#include <array>

namespace faultline {
namespace {

int action_rank(std::string_view action) {
  static constexpr std::array<std::string_view, 6> kOrder = {
      "opened", "reopened", "crash_loop", "recurred_on_old_revision", "acknowledged", "resolved"};
  for (size_t i = 0; i < kOrder.size(); ++i)
    if (kOrder[i] == action) return static_cast<int>(i);
  return static_cast<int>(kOrder.size());
}

void order(Incident& incident) {
  std::stable_sort(incident.history.begin(), incident.history.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) {
                     if (a.at != b.at) return a.at < b.at;
                     return action_rank(a.action) < action_rank(b.action);
                   });
}

void trim(Incident& incident) {
  while (incident.history.size() > kMaxHistory) {
    auto victim = std::find_if(incident.history.begin(), incident.history.end(),
                               [](const HistoryEntry& e) { return e.action != "opened"; });
    if (victim == incident.history.end()) victim = incident.history.begin();
    incident.history.erase(victim);
  }
}

}  // namespace

void add_history(Incident& incident, HistoryEntry entry) {
  incident.history.push_back(std::move(entry));
  order(incident);
  trim(incident);
}

void date_history(Incident& incident, std::string_view action, Timestamp at, std::string_view by,
                  std::string_view note) {
  auto it = std::find_if(incident.history.begin(), incident.history.end(),
                         [&](const HistoryEntry& e) { return e.action == action; });
  if (it == incident.history.end()) {
    add_history(incident, HistoryEntry{at, std::string(action), std::string(by), std::string(note)});
    return;
  }
  it->at = at;
  it->by = std::string(by);
  it->note = std::string(note);
  order(incident);
}

void redate_last_history(Incident& incident, std::string_view action, Timestamp at,
                         std::string_view note) {
  auto it = std::find_if(incident.history.rbegin(), incident.history.rend(),
                         [&](const HistoryEntry& e) { return e.action == action; });
  if (it == incident.history.rend()) return;
  it->at = at;
  it->note = std::string(note);
  order(incident);
}

}  // namespace faultline
