#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <system_error>

#include <nlohmann/json.hpp>

#include "store/incident_codec.h"
#include "store/sqlite_statement.h"

namespace faultline {
namespace {

// "FLT1": marks the file as a faultline store, so --store pointing at some other
// application's SQLite file is refused instead of migrated.
constexpr int64_t kApplicationId = 0x464c5431;

// migrations[i] takes the schema from version i to i + 1. Append only: a file
// written by an older faultline is brought up to date at open.
const char* const kMigrations[] = {
    R"sql(
      CREATE TABLE incidents (
        id              TEXT PRIMARY KEY,
        fingerprint     TEXT NOT NULL,
        service         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        severity        TEXT NOT NULL,
        opened_at       INTEGER NOT NULL,
        last_seen       INTEGER NOT NULL,
        acknowledged_at INTEGER,
        resolved_at     INTEGER,
        body            TEXT NOT NULL,
        restore         TEXT NOT NULL
      );
      -- The API lists by (opened_at, id), filtered by state and/or service.
      CREATE INDEX incidents_by_opened ON incidents (opened_at, id);
      CREATE INDEX incidents_by_state ON incidents (state, opened_at, id);
      CREATE INDEX incidents_by_service ON incidents (service, opened_at, id);

      CREATE TABLE source_ids (
        id      TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX source_ids_by_seen ON source_ids (seen_at);
    )sql",
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion);

int64_t nanos(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_nanos(int64_t n) { return Timestamp{std::chrono::nanoseconds{n}}; }

// What to check, by SQLite's primary result code.
std::string hint(int code) {
  switch (code & 0xff) {
    case SQLITE_CANTOPEN: return " (is the directory writable?)";
    case SQLITE_READONLY:
    case SQLITE_PERM: return " (are the file and its directory writable by this user?)";
    case SQLITE_FULL: return " (free space on the store's disk, or raise its size cap)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return " (is another process writing to this store?)";
    case SQLITE_NOTADB: return " (does the store path point at some other file?)";
    case SQLITE_CORRUPT: return " (move the file aside or restore it from a backup)";
    case SQLITE_IOERR: return " (check the disk and filesystem holding the store)";
    default: return "";
  }
}

std::string describe(const sqlite::Error& e) { return e.what() + hint(e.code); }

std::string dump(const nlohmann::json& j) {
  // Samples are log lines, which need not be valid UTF-8: replace bad bytes
  // rather than refuse to store the incident.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct SqliteStore::Impl {
  std::string path;
  SqliteStoreOptions options;
  int schema_version = 0;
  bool healthy = true;
  sqlite::Connection db;  // declared before the statements: destroyed after them
  std::map<std::string, std::unique_ptr<sqlite::Statement>, std::less<>> statements;

  // The batch since the last successful commit: id -> incident, or nullopt for a removal.
  std::map<std::string, std::optional<Incident>> pending;
  std::vector<std::pair<std::string, Timestamp>> pending_ids;

  sqlite::Statement& statement(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end())
      it = statements.emplace(sql, std::make_unique<sqlite::Statement>(db.get(), sql)).first;
    return *it->second;
  }

  int64_t pragma_int(const std::string& name) {
    sqlite::Statement::Run run(statement("PRAGMA " + name));
    return run.step() ? run.int64(0) : 0;
  }

  std::string pragma_text(const std::string& assignment) {
    sqlite::Statement stmt(db.get(), "PRAGMA " + assignment);
    sqlite::Statement::Run run(stmt);
    return run.step() ? run.text(0) : std::string();
  }

  void check_identity() {
    int64_t app = pragma_int("application_id");
    if (app == kApplicationId) return;
    int64_t tables = 0;
    {
      sqlite::Statement::Run run(statement("SELECT count(*) FROM sqlite_schema"));
      if (run.step()) tables = run.int64(0);
    }
    if (app != 0 || tables != 0)
      throw StoreError("cannot open store " + path +
                       ": the file is an SQLite database of another application (move it aside or choose "
                       "another --store path)");
  }

  void migrate() {
    int64_t version = pragma_int("user_version");
    if (version > SqliteStore::kSchemaVersion)
      throw StoreError("cannot open store " + path + ": its schema version " + std::to_string(version) +
                       " is newer than this faultline understands (" +
                       std::to_string(SqliteStore::kSchemaVersion) +
                       "); run a newer faultline or choose another --store path");
    for (; version < SqliteStore::kSchemaVersion; ++version) {
      sqlite::Transaction tx(db.get());
      sqlite::exec(db.get(), kMigrations[version]);
      sqlite::exec(db.get(), "PRAGMA application_id = " + std::to_string(kApplicationId));
      sqlite::exec(db.get(), "PRAGMA user_version = " + std::to_string(version + 1));
      tx.commit();
    }
    schema_version = static_cast<int>(version);
  }

  void configure() {
    std::string mode = pragma_text("journal_mode = WAL");
    if (mode != "wal")
      throw StoreError("cannot open store " + path + ": SQLite could not switch it to WAL mode (it stayed in '" +
                       mode + "' mode); put the store on a local filesystem");
    sqlite::exec(db.get(), options.synchronous == SqliteStoreOptions::Synchronous::full
                               ? "PRAGMA synchronous = FULL"
                               : "PRAGMA synchronous = NORMAL");
    // Truncate the WAL after checkpoints so that one burst does not leave a
    // file as large as the burst on disk for good.
    sqlite::exec(db.get(), "PRAGMA journal_size_limit = 16777216");
    if (options.max_bytes > 0) {
      int64_t page_size = pragma_int("page_size");
      int64_t pages = std::max<int64_t>(1, static_cast<int64_t>(options.max_bytes) / std::max<int64_t>(page_size, 1));
      sqlite::exec(db.get(), "PRAGMA max_page_count = " + std::to_string(pages));
    }
  }

  void write_incident(const Incident& incident) {
    sqlite::Statement::Run run(statement(
        "INSERT INTO incidents (id, fingerprint, service, state, severity, opened_at, last_seen, acknowledged_at, "
        "resolved_at, body, restore) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, service = excluded.service, "
        "state = excluded.state, severity = excluded.severity, opened_at = excluded.opened_at, "
        "last_seen = excluded.last_seen, acknowledged_at = excluded.acknowledged_at, "
        "resolved_at = excluded.resolved_at, body = excluded.body, restore = excluded.restore"));
    run.bind(1, incident.id)
        .bind(2, incident.fingerprint)
        .bind(3, incident.service)
        .bind(4, to_string(incident.state))
        .bind(5, to_string(incident.severity))
        .bind(6, nanos(incident.opened_at))
        .bind(7, nanos(incident.last_seen));
    if (incident.acknowledged_at) run.bind(8, nanos(*incident.acknowledged_at));
    else run.bind_null(8);
    if (incident.resolved_at) run.bind(9, nanos(*incident.resolved_at));
    else run.bind_null(9);
    run.bind(10, dump(to_json(incident))).bind(11, dump(to_restore_json(incident)));
    run.done();
  }

  void delete_incident(const std::string& id) {
    sqlite::Statement::Run run(statement("DELETE FROM incidents WHERE id = ?1"));
    run.bind(1, id).done();
  }

  void write_source_ids() {
    Timestamp newest = pending_ids.front().second;
    for (const auto& [id, seen_at] : pending_ids) {
      sqlite::Statement::Run run(statement(
          "INSERT INTO source_ids (id, seen_at) VALUES (?1, ?2) "
          "ON CONFLICT (id) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)"));
      run.bind(1, id).bind(2, nanos(seen_at)).done();
      newest = std::max(newest, seen_at);
    }
    // Pruning here keeps the table at one horizon's worth of ids during a long run;
    // load_source_ids prunes again at start.
    sqlite::Statement::Run prune(statement("DELETE FROM source_ids WHERE seen_at < ?1"));
    prune.bind(1, nanos(newest) - options.source_id_horizon.count()).done();
  }

  Incident read_incident(const sqlite::Statement::Run& run) {
    // Columns: id, body, restore.
    try {
      Incident incident = incident_from_json(nlohmann::json::parse(run.text(1)));
      apply_restore_json(nlohmann::json::parse(run.text(2)), incident);
      return incident;
    } catch (const std::exception& e) {
      throw StoreError("cannot read store " + path + ": incident " + run.text(0) + " is malformed: " + e.what() +
                       " (move the file aside or restore it from a backup)");
    }
  }
};

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, SqliteStoreOptions options) {
  if (path.empty()) throw StoreError("cannot open store: the path is empty");
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      throw StoreError("cannot open store " + path + ": cannot create directory " + parent.string() + ": " +
                       ec.message());
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  try {
    impl->db = sqlite::open_connection(path, true);
    sqlite3_busy_timeout(impl->db.get(), static_cast<int>(options.busy_timeout.count()));
    // SQLite silently opens a write-protected file read-only; the store would
    // then fail on the first commit, long after start. Refuse now.
    if (sqlite3_db_readonly(impl->db.get(), "main") == 1)
      throw StoreError("cannot open store " + path +
                       ": the file is read-only (make it writable by the user faultline runs as)");
    impl->check_identity();
    impl->configure();
    impl->migrate();
  } catch (const sqlite::Error& e) {
    throw StoreError("cannot open store " + path + ": " + describe(e));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

void SqliteStore::upsert(const Incident& incident) { impl_->pending.insert_or_assign(incident.id, incident); }

void SqliteStore::remove(const std::string& incident_id) { impl_->pending.insert_or_assign(incident_id, std::nullopt); }

void SqliteStore::remember_source_ids(const std::vector<std::string>& source_ids, Timestamp seen_at) {
  for (const std::string& id : source_ids)
    if (!id.empty()) impl_->pending_ids.emplace_back(id, seen_at);
}

void SqliteStore::commit() {
  if (impl_->pending.empty() && impl_->pending_ids.empty()) return;
  try {
    sqlite::Transaction tx(impl_->db.get());
    for (const auto& [id, incident] : impl_->pending) {
      if (incident) impl_->write_incident(*incident);
      else impl_->delete_incident(id);
    }
    if (!impl_->pending_ids.empty()) impl_->write_source_ids();
    tx.commit();
  } catch (const sqlite::Error& e) {
    impl_->healthy = false;
    throw StoreError("cannot commit to store " + impl_->path + ": " + describe(e));
  } catch (const nlohmann::json::exception& e) {
    impl_->healthy = false;
    throw StoreError("cannot commit to store " + impl_->path + ": cannot encode an incident: " + e.what());
  }
  impl_->pending.clear();
  impl_->pending_ids.clear();
  impl_->healthy = true;
}

void SqliteStore::rollback() {
  impl_->pending.clear();
  impl_->pending_ids.clear();
}

std::vector<Incident> SqliteStore::load_incidents() {
  std::vector<Incident> incidents;
  try {
    sqlite::Statement::Run run(impl_->statement("SELECT id, body, restore FROM incidents ORDER BY opened_at, id"));
    while (run.step()) incidents.push_back(impl_->read_incident(run));
  } catch (const sqlite::Error& e) {
    throw StoreError("cannot read store " + impl_->path + ": " + describe(e));
  }
  return incidents;
}

std::vector<std::pair<std::string, Timestamp>> SqliteStore::load_source_ids(Timestamp since) {
  std::vector<std::pair<std::string, Timestamp>> ids;
  try {
    {
      sqlite::Transaction tx(impl_->db.get());
      sqlite::Statement::Run prune(impl_->statement("DELETE FROM source_ids WHERE seen_at < ?1"));
      prune.bind(1, nanos(since)).done();
      tx.commit();
    }
    sqlite::Statement::Run run(impl_->statement("SELECT id, seen_at FROM source_ids ORDER BY seen_at, id"));
    while (run.step()) ids.emplace_back(run.text(0), from_nanos(run.int64(1)));
  } catch (const sqlite::Error& e) {
    throw StoreError("cannot read store " + impl_->path + ": " + describe(e));
  }
  return ids;
}

bool SqliteStore::healthy() const { return impl_->healthy; }

IncidentPage SqliteStore::query(const IncidentQuery& query) {
  // One cached statement per combination of filters, so that each can use its index.
  std::string sql = "SELECT id, body, restore FROM incidents WHERE 1";
  if (query.state) sql += " AND state = :state";
  if (query.service) sql += " AND service = :service";
  if (query.since) sql += " AND opened_at >= :since";
  if (query.after) sql += " AND (opened_at, id) > (:after_at, :after_id)";
  sql += " ORDER BY opened_at, id LIMIT :limit";

  const size_t limit = std::max<size_t>(query.limit, 1);
  IncidentPage page;
  try {
    sqlite::Statement& stmt = impl_->statement(sql);
    sqlite::Statement::Run run(stmt);
    int index = 1;
    if (query.state) run.bind(index++, to_string(*query.state));
    if (query.service) run.bind(index++, *query.service);
    if (query.since) run.bind(index++, nanos(*query.since));
    if (query.after) {
      run.bind(index++, nanos(query.after->opened_at));
      run.bind(index++, query.after->id);
    }
    // One more than a page tells whether another page follows.
    run.bind(index, static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int32_t>::max()) + 1));
    while (run.step()) {
      if (page.incidents.size() == limit) {
        const Incident& last = page.incidents.back();
        page.next = IncidentCursor{last.opened_at, last.id};
        break;
      }
      page.incidents.push_back(impl_->read_incident(run));
    }
  } catch (const sqlite::Error& e) {
    throw StoreError("cannot read store " + impl_->path + ": " + describe(e));
  }
  return page;
}

const std::string& SqliteStore::path() const { return impl_->path; }
int SqliteStore::schema_version() const { return impl_->schema_version; }

}  // namespace faultline
