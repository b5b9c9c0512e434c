// PostgresStore: the IncidentStore for several replicas sharing one PostgreSQL
// database (`--store postgres://…`). SQLite stays the default for one instance.
//
// How replicas share state: matching is stateless and runs where a request
// arrives; correlation decisions are made from one totally ordered journal of
// event batches (PostgresJournal below). Each append takes a transaction-level
// advisory lock, so journal order is commit order, and every replica applies
// every batch in that order: the correlator is deterministic, so the cause on
// one replica and the exit on another end in one incident on both. The
// `incidents` table is the snapshot one replica (the leader, holding a session
// advisory lock) writes after applying, with the journal position it reflects;
// a replica that starts loads it and applies the journal from there.
//
// Schema versions are in faultline_schema, migrated at open under an advisory
// lock (replicas starting together migrate once). Times are integer
// nanoseconds since the Unix epoch, bodies JSON text (as in SqliteStore).
//
// Not thread-safe: one thread at a time per object; each object has its own
// connection. A lost connection is reopened on the next call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "incidents/event_batch.h"
#include "store/store.h"

namespace faultline {

namespace pg {
class Connection;
}

bool is_postgres_url(std::string_view store);

struct JournalGap : StoreError {
  using StoreError::StoreError;
};

class PostgresStore final : public IncidentStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Connects and migrates. Throws StoreError naming the server (password
  // redacted), PostgreSQL's reason and what to check.
  static std::unique_ptr<PostgresStore> open(const std::string& url);
  ~PostgresStore() override;

  void upsert(const Incident& incident) override;
  void remove(const std::string& incident_id) override;
  void remember_source_ids(const std::vector<std::string>& source_ids, Timestamp seen_at) override;
  // Also records snapshot_seq (set_snapshot_seq) in the same transaction.
  void commit() override;
  void rollback() override;
  std::vector<Incident> load_incidents() override;
  std::vector<std::pair<std::string, Timestamp>> load_source_ids(Timestamp since) override;
  bool healthy() const override;

  // The journal position the next commit() reflects. commit() and replace_all()
  // refuse (StoreError) to move the recorded position back: that replica no
  // longer leads.
  void set_snapshot_seq(int64_t seq);
  // Replaces the whole snapshot (a new leader writes its state once): every
  // incident not in `incidents` is deleted. Commits.
  void replace_all(const std::vector<Incident>& incidents, int64_t seq);

  struct Snapshot {
    std::vector<Incident> incidents;
    int64_t seq = 0;  // journal entries up to this one are in `incidents`
  };
  // Incidents and their journal position, read in one transaction.
  Snapshot load_snapshot();
  int schema_version() const;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The shared journal of event batches.
class PostgresJournal {
 public:
  // Connects (the schema must exist: open a PostgresStore first). `replica`
  // names this process in the journal, for operators.
  PostgresJournal(std::string url, std::string replica);
  ~PostgresJournal();

  struct Appended {
    std::optional<int64_t> seq;  // nullopt: nothing left to append
    size_t duplicates = 0;       // events dropped: their record was in the journal already
  };
  // Appends `batch` as one entry. Records (by Event::source_id) another replica
  // or an earlier delivery already appended are dropped first: Pub/Sub may
  // deliver one message to two replicas. `key` names the batch uniquely (this
  // process, its batch number): retried after a failure whose COMMIT did go
  // through, it is not appended again. Throws StoreError.
  Appended append(const EventBatch& batch, const std::string& key, Timestamp now);

  struct Entry {
    int64_t seq = 0;
    EventBatch batch;
  };
  // Entries after `seq`, in order. Throws JournalGap when entries after `seq`
  // were pruned (this replica fell more than the retention behind: it must
  // reload the snapshot), StoreError otherwise (also for an entry that cannot
  // be decoded: the journal is written only by faultline).
  std::vector<Entry> read_after(int64_t seq, size_t limit);
  // Waits for an append anywhere (LISTEN/NOTIFY) or the timeout.
  void wait(std::chrono::milliseconds timeout);
  // The session advisory lock that makes one replica the leader; kept until
  // the connection closes (the process exits or is killed). Idempotent.
  bool try_lead();
  bool leading() const;
  // Leader housekeeping: forgets dedup ids seen before `ids_before`, and
  // journal entries the snapshot holds that are older than `retention`.
  void prune(Timestamp ids_before, std::chrono::seconds retention, int64_t snapshot_seq);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline
