#include "store/store_observer.h"

namespace faultline {

void StoreObserver::Pending::absorb(Pending&& later) {
  for (auto& [id, incident] : later.incidents) incidents[id] = std::move(incident);
  source_ids.insert(source_ids.end(), std::make_move_iterator(later.source_ids.begin()),
                    std::make_move_iterator(later.source_ids.end()));
}

StoreObserver::StoreObserver(IncidentStore& store, WallClock wall_clock)
    : store_(store), wall_clock_(std::move(wall_clock)) {}

void StoreObserver::on_event(const Event& event) {
  if (event.source_id.empty()) return;
  // A record that fired several rules brings its id once per event.
  if (!open_batch_.source_ids.empty() && open_batch_.source_ids.back() == event.source_id) return;
  open_batch_.source_ids.push_back(event.source_id);
}

void StoreObserver::on_change(const IncidentChange& change, const Incident* incident) {
  if (incident) open_batch_.incidents[incident->id] = *incident;
  else open_batch_.incidents[change.incident_id] = std::nullopt;
}

void StoreObserver::on_batch_end() {
  std::lock_guard lock(sealed_mutex_);
  if (!open_batch_.empty()) {
    sealed_batches_.absorb(std::move(open_batch_));
    open_batch_ = Pending{};
  }
  sealed_.fetch_add(1);
}

void StoreObserver::sync(uint64_t batch, const Undo& undo) {
  std::lock_guard commit_lock(commit_mutex_);
  if (committed_ >= batch) return;  // a concurrent sync() already covered it

  Pending work;
  uint64_t through = 0;
  {
    std::lock_guard lock(sealed_mutex_);
    work = std::move(sealed_batches_);
    sealed_batches_ = Pending{};
    through = sealed_.load();
  }
  if (work.empty() && healthy_.load()) {
    // Nothing changed (a timer tick that flushed no trace): no transaction, no fsync.
    committed_ = through;
    return;
  }
  try {
    for (auto& [id, incident] : work.incidents) {
      if (incident) store_.upsert(*incident);
      else store_.remove(id);
    }
    if (!work.source_ids.empty()) store_.remember_source_ids(work.source_ids, wall_clock_());
    store_.commit();
  } catch (...) {
    // The store keeps what it was given pending and writes it with the next
    // commit; nothing is lost by moving `work` out of our queue. The undo runs
    // under commit_mutex_, so no commit can take the change before it is undone.
    healthy_.store(false);
    if (undo) undo();
    throw;
  }
  committed_ = through;
  healthy_.store(true);
}

}  // namespace faultline
