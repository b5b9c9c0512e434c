// SqliteStore: the embedded IncidentStore, one SQLite file (default
// ./var/faultline.db) in WAL mode.
//
// Durability: commit() returns only after SQLite has fsynced the WAL
// (synchronous=FULL), so a batch the daemon acknowledged survives kill -9 and
// power loss. A process killed before commit() leaves the file as of the last
// commit: SQLite rolls back the half-written transaction on the next open.
//
// Writes are coalesced in memory until commit(): an incident upserted many times
// in one batch is written once, and the write lock is held only while commit()
// applies the batch in one BEGIN IMMEDIATE transaction. If that fails (disk full,
// the file became read-only, another process holds the lock past busy_timeout),
// commit() throws StoreError, healthy() turns false, and the batch stays pending:
// the next commit() writes it together with whatever came after, so a message
// Pub/Sub redelivers (and the pipeline now counts as a duplicate) is still made
// durable before the daemon acknowledges it. rollback() drops the pending batch.
//
// Layout (schema version in PRAGMA user_version, migrated at open):
//   incidents(id, fingerprint, service, state, severity, opened_at, last_seen,
//             acknowledged_at, resolved_at, body, restore)
//     body: to_json(incident), the API's shape; restore: the fields it omits
//     (incident_codec.h). History lives inside body: it is read per incident and
//     rewritten with it. Times are integer nanoseconds since the Unix epoch.
//   source_ids(id, seen_at): dedup ids, pruned beyond source_id_horizon.
//
// Thread safety: none. The store is used from one thread at a time (the daemon's
// store worker); moving between threads between calls is fine.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/incident_query.h"
#include "store/store.h"

namespace faultline {

struct SqliteStoreOptions {
  // full: every commit fsyncs the WAL; an acknowledged batch survives power loss.
  // normal: the WAL is fsynced only at checkpoints; still safe against kill -9,
  // but the last commits before a power cut can vanish after being acknowledged.
  enum class Synchronous { normal, full };
  Synchronous synchronous = Synchronous::full;
  // How long a write waits for a lock another process holds before failing.
  std::chrono::milliseconds busy_timeout{5000};
  // Source ids older than the newest seen_at minus this are deleted at commit.
  // Match PipelineConfig::dedup_horizon.
  std::chrono::nanoseconds source_id_horizon = std::chrono::hours(1);
  // Cap on the database size in bytes (0: none). Writes beyond it fail like a
  // full disk, before the disk is actually full.
  uint64_t max_bytes = 0;
};

class SqliteStore final : public IncidentStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Creates the file and its parent directory when missing, applies migrations.
  // Throws StoreError naming the path, SQLite's reason and what to check
  // ("cannot open store ./var/faultline.db: unable to open database file (is the
  // directory writable?)"). Refuses a read-only file, a file that is not a
  // faultline store, and a schema newer than kSchemaVersion.
  static std::unique_ptr<SqliteStore> open(const std::string& path, SqliteStoreOptions options = {});
  ~SqliteStore() override;

  void upsert(const Incident& incident) override;
  void remove(const std::string& incident_id) override;
  void remember_source_ids(const std::vector<std::string>& source_ids, Timestamp seen_at) override;
  void commit() override;
  void rollback() override;

  // Committed state only, ordered by (opened_at, id).
  std::vector<Incident> load_incidents() override;
  // Deletes (and commits the deletion of) ids seen before `since`.
  std::vector<std::pair<std::string, Timestamp>> load_source_ids(Timestamp since) override;
  // False after a failed commit() until a later commit() writes successfully.
  bool healthy() const override;

  // Committed incidents through the indexes, with select_incidents' semantics.
  // Not part of IncidentStore: the daemon serves queries from the Pipeline, which
  // holds every incident already; this reads a store file without a daemon.
  IncidentPage query(const IncidentQuery& query);

  const std::string& path() const;
  int schema_version() const;  // PRAGMA user_version of the open file

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline
