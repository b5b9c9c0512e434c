#include "store/postgres_store.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "store/incident_codec.h"
#include "store/pg_connection.h"

namespace faultline {
namespace {

// Advisory lock keys ("FLT" + purpose), one namespace for this application.
constexpr long long kMigrationLock = 0x464c5401;
constexpr long long kAppendLock = 0x464c5402;
constexpr long long kLeaderLock = 0x464c5403;
constexpr const char* kChannel = "faultline_journal";

// migrations[i] takes the schema from version i to i + 1. Append only.
const char* const kMigrations[] = {
    R"sql(
      CREATE TABLE incidents (
        id              text PRIMARY KEY,
        fingerprint     text NOT NULL,
        service         text NOT NULL,
        state           text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        severity        text NOT NULL,
        opened_at       bigint NOT NULL,
        last_seen       bigint NOT NULL,
        acknowledged_at bigint,
        resolved_at     bigint,
        body            text NOT NULL,
        restore         text NOT NULL
      );
      CREATE INDEX incidents_by_opened ON incidents (opened_at, id);
      CREATE INDEX incidents_by_state ON incidents (state, opened_at, id);
      CREATE INDEX incidents_by_service ON incidents (service, opened_at, id);

      -- Dedup keys of records that produced events, shared by all replicas.
      CREATE TABLE source_ids (
        id      text PRIMARY KEY,
        seen_at bigint NOT NULL
      );
      CREATE INDEX source_ids_by_seen ON source_ids (seen_at);

      -- Event batches in the order every replica applies them.
      -- batch_key: the appending process and its batch number, so that retrying
      -- an append whose COMMIT answer was lost does not append it twice.
      CREATE TABLE journal (
        seq         bigserial PRIMARY KEY,
        appended_at timestamptz NOT NULL DEFAULT now(),
        replica     text NOT NULL,
        batch_key   text NOT NULL UNIQUE,
        body        text NOT NULL
      );

      -- Which journal entries the incidents table holds (one row), and up to
      -- which entry the journal was pruned (a replica behind that must reload).
      CREATE TABLE snapshot (
        only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq            bigint NOT NULL,
        pruned_through bigint NOT NULL DEFAULT 0,
        written_at     timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO snapshot (seq) VALUES (0);
    )sql",
};
static_assert(std::size(kMigrations) == PostgresStore::kSchemaVersion);

std::string nanos(Timestamp t) { return std::to_string(t.time_since_epoch().count()); }
Timestamp from_nanos(long long n) { return Timestamp{std::chrono::nanoseconds{n}}; }

std::string dump(const nlohmann::json& j) {
  // Samples are log lines, which need not be valid UTF-8; PostgreSQL refuses
  // invalid UTF-8 in text, and "\u0000" is escaped, never a raw NUL.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Dedup keys go into text columns and array literals: made ASCII and NUL-free.
std::string dedup_key(const std::string& source_id) {
  return nlohmann::json(source_id).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// What to check, by the kind of failure.
std::string describe(const pg::Error& e) {
  std::string text = e.what();
  if (e.connection_lost()) return text + " (is PostgreSQL running and reachable at that address?)";
  if (e.sqlstate == "28P01" || e.sqlstate == "28000") return text + " (check the user and password in the URL)";
  if (e.sqlstate == "3D000") return text + " (create the database first: createdb <name>)";
  if (e.sqlstate == "42501") return text + " (the user needs CREATE on the database's public schema)";
  if (e.sqlstate == "53100") return text + " (PostgreSQL's disk is full)";
  return text;
}

// A connection that is reopened on the next use after it broke.
class Link {
 public:
  explicit Link(std::string url) : url_(std::move(url)) {}
  pg::Connection& get() {
    if (!connection_ || !connection_->ok()) {
      connection_.reset();
      connection_ = std::make_unique<pg::Connection>(url_);
      reconnected_ = true;
    }
    return *connection_;
  }
  // True once after get() opened a new connection (session state was lost).
  bool take_reconnected() { return std::exchange(reconnected_, false); }
  void drop() { connection_.reset(); }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::unique_ptr<pg::Connection> connection_;
  bool reconnected_ = false;
};

std::string where(const std::string& url) { return "store " + pg::redact_url(url); }

}  // namespace

bool is_postgres_url(std::string_view store) {
  return store.rfind("postgres://", 0) == 0 || store.rfind("postgresql://", 0) == 0;
}

// Moves the snapshot's position forward only: a replica that lost the lead and
// still writes (its session died unnoticed) cannot take it back past the new
// leader's, whose rows already hold the entries in between.
void record_snapshot_seq(pg::Connection& db, int64_t seq, const std::string& url) {
  if (db.exec("UPDATE snapshot SET seq = $1, written_at = now() WHERE seq <= $1", {std::to_string(seq)})
          .affected_rows() == 0)
    throw StoreError("the snapshot in " + where(url) + " is past journal entry " + std::to_string(seq) +
                     ": another replica leads and wrote it");
}

struct PostgresStore::Impl {
  Link link;
  int schema_version = 0;
  bool healthy = true;
  std::optional<int64_t> snapshot_seq;
  std::map<std::string, std::optional<Incident>> pending;
  std::vector<std::pair<std::string, Timestamp>> pending_ids;

  explicit Impl(std::string url) : link(std::move(url)) {}

  void migrate() {
    pg::Connection& db = link.get();
    pg::Transaction tx(db);
    db.exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(kMigrationLock)});
    db.exec("CREATE TABLE IF NOT EXISTS faultline_schema (version integer NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())");
    pg::Result r = db.exec("SELECT coalesce(max(version), 0) FROM faultline_schema");
    int version = static_cast<int>(r.int64(0, 0));
    if (version > kSchemaVersion)
      throw StoreError("cannot open " + where(link.url()) + ": its schema version " + std::to_string(version) +
                       " is newer than this faultline understands (" + std::to_string(kSchemaVersion) +
                       "); run a newer faultline or point --store at another database");
    for (; version < kSchemaVersion; ++version) {
      db.exec_script(kMigrations[version]);
      db.exec("INSERT INTO faultline_schema (version) VALUES ($1)", {std::to_string(version + 1)});
    }
    tx.commit();
    schema_version = version;
  }

  void write_incident(pg::Connection& db, const Incident& i) {
    db.exec(
        "INSERT INTO incidents (id, fingerprint, service, state, severity, opened_at, last_seen, acknowledged_at, "
        "resolved_at, body, restore) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, service = excluded.service, "
        "state = excluded.state, severity = excluded.severity, opened_at = excluded.opened_at, "
        "last_seen = excluded.last_seen, acknowledged_at = excluded.acknowledged_at, "
        "resolved_at = excluded.resolved_at, body = excluded.body, restore = excluded.restore",
        {i.id, i.fingerprint, i.service, std::string(to_string(i.state)), std::string(to_string(i.severity)),
         nanos(i.opened_at), nanos(i.last_seen), i.acknowledged_at ? pg::Param(nanos(*i.acknowledged_at)) : std::nullopt,
         i.resolved_at ? pg::Param(nanos(*i.resolved_at)) : std::nullopt, dump(to_json(i)), dump(to_restore_json(i))});
  }

  std::vector<Incident> read_incidents(pg::Connection& db) {
    pg::Result r = db.exec("SELECT id, body, restore FROM incidents ORDER BY opened_at, id");
    std::vector<Incident> incidents;
    for (int row = 0; row < r.rows(); ++row) {
      try {
        Incident incident = incident_from_json(nlohmann::json::parse(r.text(row, 1)));
        apply_restore_json(nlohmann::json::parse(r.text(row, 2)), incident);
        incidents.push_back(std::move(incident));
      } catch (const std::exception& e) {
        throw StoreError("cannot read " + where(link.url()) + ": incident " + r.text(row, 0) +
                         " is malformed: " + e.what());
      }
    }
    return incidents;
  }

  template <typename Fn>
  auto run(const char* what, Fn&& fn) {
    try {
      return fn(link.get());
    } catch (const pg::Error& e) {
      if (e.connection_lost()) link.drop();
      healthy = false;
      throw StoreError(std::string(what) + " " + where(link.url()) + ": " + describe(e));
    }
  }
};

std::unique_ptr<PostgresStore> PostgresStore::open(const std::string& url) {
  auto impl = std::make_unique<Impl>(url);
  try {
    impl->migrate();
  } catch (const pg::Error& e) {
    throw StoreError("cannot open " + where(url) + ": " + describe(e));
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

void PostgresStore::upsert(const Incident& incident) { impl_->pending.insert_or_assign(incident.id, incident); }
void PostgresStore::remove(const std::string& id) { impl_->pending.insert_or_assign(id, std::nullopt); }

void PostgresStore::remember_source_ids(const std::vector<std::string>& source_ids, Timestamp seen_at) {
  for (const std::string& id : source_ids)
    if (!id.empty()) impl_->pending_ids.emplace_back(dedup_key(id), seen_at);
}

void PostgresStore::set_snapshot_seq(int64_t seq) { impl_->snapshot_seq = seq; }

void PostgresStore::commit() {
  if (impl_->pending.empty() && impl_->pending_ids.empty() && !impl_->snapshot_seq) return;
  impl_->run("cannot commit to", [&](pg::Connection& db) {
    pg::Transaction tx(db);
    for (const auto& [id, incident] : impl_->pending) {
      if (incident) impl_->write_incident(db, *incident);
      else db.exec("DELETE FROM incidents WHERE id = $1", {id});
    }
    for (const auto& [id, seen_at] : impl_->pending_ids)
      db.exec("INSERT INTO source_ids (id, seen_at) VALUES ($1, $2) "
              "ON CONFLICT (id) DO UPDATE SET seen_at = greatest(source_ids.seen_at, excluded.seen_at)",
              {id, nanos(seen_at)});
    if (impl_->snapshot_seq) record_snapshot_seq(db, *impl_->snapshot_seq, impl_->link.url());
    tx.commit();
    return 0;
  });
  impl_->pending.clear();
  impl_->pending_ids.clear();
  impl_->snapshot_seq.reset();
  impl_->healthy = true;
}

void PostgresStore::rollback() {
  impl_->pending.clear();
  impl_->pending_ids.clear();
  impl_->snapshot_seq.reset();
}

void PostgresStore::replace_all(const std::vector<Incident>& incidents, int64_t seq) {
  rollback();
  impl_->run("cannot commit to", [&](pg::Connection& db) {
    pg::Transaction tx(db);
    std::vector<std::string> ids;
    for (const Incident& incident : incidents) {
      impl_->write_incident(db, incident);
      ids.push_back(incident.id);
    }
    db.exec("DELETE FROM incidents WHERE NOT (id = ANY($1::text[]))", {pg::array_literal(ids)});
    record_snapshot_seq(db, seq, impl_->link.url());
    tx.commit();
    return 0;
  });
  impl_->healthy = true;
}

std::vector<Incident> PostgresStore::load_incidents() {
  return impl_->run("cannot read", [&](pg::Connection& db) { return impl_->read_incidents(db); });
}

PostgresStore::Snapshot PostgresStore::load_snapshot() {
  return impl_->run("cannot read", [&](pg::Connection& db) {
    // One snapshot of the database: the incidents and the position they reflect agree.
    pg::Transaction tx(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Snapshot snapshot;
    snapshot.seq = db.exec("SELECT seq FROM snapshot").int64(0, 0);
    snapshot.incidents = impl_->read_incidents(db);
    tx.commit();
    return snapshot;
  });
}

std::vector<std::pair<std::string, Timestamp>> PostgresStore::load_source_ids(Timestamp since) {
  return impl_->run("cannot read", [&](pg::Connection& db) {
    db.exec("DELETE FROM source_ids WHERE seen_at < $1", {nanos(since)});
    pg::Result r = db.exec("SELECT id, seen_at FROM source_ids ORDER BY seen_at, id");
    std::vector<std::pair<std::string, Timestamp>> ids;
    for (int row = 0; row < r.rows(); ++row) {
      // Stored JSON-escaped (dedup_key): give back the id as it was given.
      std::string id = nlohmann::json::parse(r.text(row, 0)).get<std::string>();
      ids.emplace_back(std::move(id), from_nanos(r.int64(row, 1)));
    }
    return ids;
  });
}

bool PostgresStore::healthy() const { return impl_->healthy; }
int PostgresStore::schema_version() const { return impl_->schema_version; }

struct PostgresJournal::Impl {
  std::string replica;
  Link writer;  // append(): the ingest side
  Link reader;  // read_after/wait/try_lead/prune: the applier thread
  bool leading = false;
  bool listening = false;

  Impl(const std::string& url, std::string replica) : replica(std::move(replica)), writer(url), reader(url) {}

  pg::Connection& reader_connection() {
    pg::Connection& db = reader.get();
    if (reader.take_reconnected()) {
      // LISTEN and the leader lock belonged to the old session.
      leading = false;
      listening = false;
    }
    if (!listening) {
      db.exec(std::string("LISTEN ") + kChannel);
      listening = true;
    }
    return db;
  }

  template <typename Fn>
  auto on_reader(const char* what, Fn&& fn) {
    try {
      return fn(reader_connection());
    } catch (const pg::Error& e) {
      if (e.connection_lost()) {
        reader.drop();
        leading = false;
        listening = false;
      }
      throw StoreError(std::string(what) + " " + where(reader.url()) + ": " + describe(e));
    }
  }
};

PostgresJournal::PostgresJournal(std::string url, std::string replica)
    : impl_(std::make_unique<Impl>(url, std::move(replica))) {}
PostgresJournal::~PostgresJournal() = default;

PostgresJournal::Appended PostgresJournal::append(const EventBatch& batch, const std::string& key, Timestamp now) {
  Appended appended;
  try {
    pg::Connection& db = impl_->writer.get();
    pg::Transaction tx(db);
    // Dedup first, outside the append lock: a replica inserting the same id
    // waits here for the other's commit, then sees the id as taken.
    std::set<std::string> keys;
    for (const Event& e : batch.events)
      if (!e.source_id.empty()) keys.insert(dedup_key(e.source_id));
    EventBatch fresh_only;
    const EventBatch* entry = &batch;
    if (!keys.empty()) {
      pg::Result fresh = db.exec(
          "INSERT INTO source_ids (id, seen_at) SELECT unnest($1::text[]), $2 ON CONFLICT (id) DO NOTHING RETURNING id",
          {pg::array_literal({keys.begin(), keys.end()}), nanos(now)});
      if (fresh.rows() < static_cast<int>(keys.size())) {
        std::set<std::string> taken;
        for (int row = 0; row < fresh.rows(); ++row) taken.insert(fresh.text(row, 0));
        fresh_only = batch;
        fresh_only.events.clear();
        for (const Event& e : batch.events) {
          if (e.source_id.empty() || taken.count(dedup_key(e.source_id))) fresh_only.events.push_back(e);
          else ++appended.duplicates;
        }
        entry = &fresh_only;
      }
    }
    if (entry->empty()) {
      tx.commit();
      return appended;
    }
    // Serialises appends, so that sequence order is commit order: a reader that
    // has seen entry n will never find an entry below n committed later.
    db.exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(kAppendLock)});
    pg::Result r = db.exec(
        "INSERT INTO journal (replica, batch_key, body) VALUES ($1, $2, $3) "
        "ON CONFLICT (batch_key) DO NOTHING RETURNING seq",
        {impl_->replica, key, dump(to_json(*entry))});
    if (r.rows() == 0) {
      // A retry of an append that did commit (its answer was lost): already there.
      appended.seq = db.exec("SELECT seq FROM journal WHERE batch_key = $1", {key}).int64(0, 0);
      tx.commit();
      return appended;
    }
    db.exec(std::string("NOTIFY ") + kChannel);
    tx.commit();
    appended.seq = r.int64(0, 0);
  } catch (const pg::Error& e) {
    if (e.connection_lost()) impl_->writer.drop();
    throw StoreError("cannot append to the journal in " + where(impl_->writer.url()) + ": " + describe(e));
  }
  return appended;
}

std::vector<PostgresJournal::Entry> PostgresJournal::read_after(int64_t seq, size_t limit) {
  return impl_->on_reader("cannot read the journal in", [&](pg::Connection& db) {
    // One statement: the prune position and the entries agree.
    pg::Result r = db.exec(
        "SELECT s.pruned_through, j.seq, j.body FROM snapshot s LEFT JOIN LATERAL "
        "(SELECT seq, body FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2) j ON true ORDER BY j.seq",
        {std::to_string(seq), std::to_string(limit)});
    if (r.rows() > 0 && r.int64(0, 0) > seq)
      throw JournalGap("journal entries up to " + r.text(0, 0) + " were pruned before this replica applied them (it is at " +
                       std::to_string(seq) + ")");
    std::vector<Entry> entries;
    for (int row = 0; row < r.rows(); ++row) {
      if (r.is_null(row, 1)) continue;
      try {
        entries.push_back({r.int64(row, 1), event_batch_from_json(nlohmann::json::parse(r.text(row, 2)))});
      } catch (const std::exception& e) {
        throw StoreError("journal entry " + r.text(row, 1) + " in " + where(impl_->reader.url()) +
                         " cannot be read: " + e.what() + " (was the journal written by another program?)");
      }
    }
    return entries;
  });
}

void PostgresJournal::wait(std::chrono::milliseconds timeout) {
  impl_->on_reader("cannot wait on the journal in", [&](pg::Connection& db) {
    db.wait_for_notification(timeout);
    return 0;
  });
}

bool PostgresJournal::try_lead() {
  return impl_->on_reader("cannot take the leader lock in", [&](pg::Connection& db) {
    if (!impl_->leading)
      impl_->leading = db.exec("SELECT pg_try_advisory_lock($1)", {std::to_string(kLeaderLock)}).text(0, 0) == "t";
    return impl_->leading;
  });
}

bool PostgresJournal::leading() const { return impl_->leading; }

void PostgresJournal::prune(Timestamp ids_before, std::chrono::seconds retention, int64_t snapshot_seq) {
  impl_->on_reader("cannot prune", [&](pg::Connection& db) {
    db.exec("DELETE FROM source_ids WHERE seen_at < $1", {nanos(ids_before)});
    db.exec("WITH gone AS (DELETE FROM journal WHERE seq <= $1 AND appended_at < now() - make_interval(secs => $2) "
            "RETURNING seq) UPDATE snapshot SET pruned_through = greatest(pruned_through, "
            "coalesce((SELECT max(seq) FROM gone), 0))",
            {std::to_string(snapshot_seq), std::to_string(retention.count())});
    return 0;
  });
}

}  // namespace faultline
