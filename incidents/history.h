// Incident history: kept in time order so that replaying the same events in
// another arrival order gives the same history. At most kMaxHistory entries;
// beyond that the oldest entry other than "opened" goes first.
#pragma once

#include <string_view>

#include "incidents/incident.h"

namespace faultline {

inline constexpr size_t kMaxHistory = 100;

// Inserts an entry in time order (same time: opened, reopened, crash_loop,
// recurred_on_old_revision, acknowledged, resolved, others).
void add_history(Incident& incident, HistoryEntry entry);

// Dates the first entry with this action (adding it when absent): "opened" and
// "crash_loop" move earlier when older events arrive late.
void date_history(Incident& incident, std::string_view action, Timestamp at, std::string_view by,
                  std::string_view note);

// Dates the last entry with this action (the current resolution, not an
// earlier one before a reopen), keeping the order.
void redate_last_history(Incident& incident, std::string_view action, Timestamp at,
                         std::string_view note);

}  // namespace faultline
