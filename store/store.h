// IncidentStore: durable incidents, their chains and history, and the dedup ids
// of acknowledged records. SQLite now (sqlite_store.h); PostgreSQL later fills the
// same interface. Only events' effects on incidents are stored, never log lines.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "incidents/incident.h"

namespace faultline {

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  // Writes are buffered in one transaction until commit(); commit() returns only
  // once they are durable (the daemon answers 2xx after it). Throws StoreError.
  virtual void upsert(const Incident& incident) = 0;
  virtual void remove(const std::string& incident_id) = 0;
  virtual void remember_source_ids(const std::vector<std::string>& source_ids, Timestamp seen_at) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  virtual std::vector<Incident> load_incidents() = 0;
  // Source ids seen at or after `since` (older ones are pruned).
  virtual std::vector<std::pair<std::string, Timestamp>> load_source_ids(Timestamp since) = 0;
  virtual bool healthy() const = 0;
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace faultline
