#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "store/incident_query.h"
#include "store/sqlite_store.h"
#include "tests/support/sample_incidents.h"

namespace fs = std::filesystem;
using namespace faultline;
using faultline::testing::at;
using faultline::testing::bare_incident;
using faultline::testing::every_field;
using faultline::testing::rich_incident;

namespace {

// A fresh directory under the system temp dir, removed (permissions restored
// first) when the test ends.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = fs::temp_directory_path() / ("faultline-store-test-" + std::to_string(getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator(); ++it)
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<nlohmann::json> fields_of(const std::vector<Incident>& incidents) {
  std::vector<nlohmann::json> out;
  for (const Incident& i : incidents) out.push_back(every_field(i));
  return out;
}

// Runs `body` in a child process and returns what it returned. Root ignores file
// permissions, so when the tests run as root the child first becomes `nobody`:
// permission failures are then real ones.
template <typename Body>
std::string in_unprivileged_child(Body body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) out = "cannot drop privileges";
    else {
      try {
        out = body();
      } catch (const std::exception& e) {
        out = std::string("unexpected exception: ") + e.what();
      }
    }
    ssize_t written = write(fds[1], out.data(), out.size());
    _exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  return out;
}

std::string open_error(const std::string& path) {
  try {
    SqliteStore::open(path);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "opened";
}

// Holds SQLite's write lock on a store file from outside, as a second process would.
struct ForeignWriter {
  explicit ForeignWriter(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~ForeignWriter() {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  sqlite3* db = nullptr;
};

int64_t pragma(const std::string& path, const std::string& name) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, ("PRAGMA " + name).c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void exec_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("SqliteStore: committed incidents come back identical after reopening") {
  TempDir dir;
  const std::string path = dir.file("var/faultline.db");  // parent created by open
  std::vector<Incident> written = {rich_incident("inc-b"),
                                   bare_incident("inc-a", "frontend", at("2025-09-16T00:40:00Z"))};
  {
    auto store = SqliteStore::open(path);
    for (const Incident& i : written) store->upsert(i);
    store->commit();
    CHECK(store->healthy());
  }
  auto store = SqliteStore::open(path);
  auto loaded = store->load_incidents();
  REQUIRE(loaded.size() == 2);
  // Ordered by opened_at: the bare incident opened first.
  CHECK(fields_of(loaded) == fields_of({written[1], written[0]}));
}

TEST_CASE("SqliteStore: an upsert replaces the incident and a removal deletes it") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  auto store = SqliteStore::open(path);
  Incident a = bare_incident("a", "api", at("2025-01-01T00:00:00Z"));
  Incident b = bare_incident("b", "api", at("2025-01-01T00:01:00Z"));
  store->upsert(a);
  store->upsert(b);
  store->commit();

  a.state = IncidentState::acknowledged;
  a.acknowledged_at = at("2025-01-01T00:05:00Z");
  a.history.push_back({*a.acknowledged_at, "acknowledged", "bob", "on it"});
  store->upsert(a);
  store->remove("b");
  store->commit();

  store.reset();
  auto loaded = SqliteStore::open(path)->load_incidents();
  REQUIRE(loaded.size() == 1);
  CHECK(every_field(loaded[0]) == every_field(a));
}

TEST_CASE("SqliteStore: writes never committed are not there after reopening") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  {
    auto store = SqliteStore::open(path);
    store->upsert(bare_incident("kept", "api", at("2025-01-01T00:00:00Z")));
    store->remember_source_ids({"kept-id"}, at("2025-01-01T00:00:00Z"));
    store->commit();
    store->upsert(bare_incident("lost", "api", at("2025-01-01T00:01:00Z")));
    store->remember_source_ids({"lost-id"}, at("2025-01-01T00:01:00Z"));
  }
  auto store = SqliteStore::open(path);
  auto loaded = store->load_incidents();
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].id == "kept");
  auto ids = store->load_source_ids(at("2024-01-01T00:00:00Z"));
  REQUIRE(ids.size() == 1);
  CHECK(ids[0].first == "kept-id");
}

TEST_CASE("SqliteStore: a process killed with SIGKILL keeps exactly what it committed") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  const int committed = 20;
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      auto store = SqliteStore::open(path);
      for (int n = 0; n < committed; ++n)
        store->upsert(bare_incident("c" + std::to_string(n), "api", at("2025-01-01T00:00:00Z") + std::chrono::seconds(n)));
      store->remember_source_ids({"committed-1", "committed-2"}, at("2025-01-01T00:00:00Z"));
      store->commit();
      for (int n = 0; n < 5; ++n)
        store->upsert(bare_incident("u" + std::to_string(n), "api", at("2025-01-02T00:00:00Z")));
      Incident changed = bare_incident("c0", "api", at("2025-01-01T00:00:00Z"));
      changed.state = IncidentState::resolved;
      store->upsert(changed);
      store->remove("c1");
      store->remember_source_ids({"uncommitted"}, at("2025-01-02T00:00:00Z"));
      raise(SIGKILL);
    } catch (...) {
    }
    _exit(1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  auto store = SqliteStore::open(path);
  auto loaded = store->load_incidents();
  REQUIRE(loaded.size() == committed);
  for (int n = 0; n < committed; ++n) {
    CHECK(loaded[n].id == "c" + std::to_string(n));
    CHECK(loaded[n].state == IncidentState::open);
  }
  auto ids = store->load_source_ids(at("2024-01-01T00:00:00Z"));
  REQUIRE(ids.size() == 2);
  CHECK(ids[0].first == "committed-1");
  CHECK(ids[1].first == "committed-2");
}

TEST_CASE("SqliteStore: source ids older than the horizon are pruned") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  const Timestamp t0 = at("2025-03-01T12:00:00Z");
  SqliteStoreOptions options;
  options.source_id_horizon = std::chrono::hours(1);
  {
    auto store = SqliteStore::open(path, options);
    store->remember_source_ids({"old-1", "old-2"}, t0);
    store->remember_source_ids({"", "recent"}, t0 + std::chrono::minutes(30));  // empty ids are not ids
    store->commit();
    // A later batch pushes the horizon past t0.
    store->remember_source_ids({"new"}, t0 + std::chrono::minutes(90));
    // Seen again: keeps the later time.
    store->remember_source_ids({"recent"}, t0 + std::chrono::minutes(80));
    store->commit();
  }
  auto store = SqliteStore::open(path, options);
  auto ids = store->load_source_ids(t0);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] == std::pair<std::string, Timestamp>{"recent", t0 + std::chrono::minutes(80)});
  CHECK(ids[1] == std::pair<std::string, Timestamp>{"new", t0 + std::chrono::minutes(90)});

  // Loading with a later `since` prunes for good.
  CHECK(store->load_source_ids(t0 + std::chrono::minutes(85)).size() == 1);
  CHECK(store->load_source_ids(t0).size() == 1);
}

TEST_CASE("SqliteStore: schema version and application id are recorded, a newer schema is refused") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  {
    auto store = SqliteStore::open(path);
    CHECK(store->schema_version() == SqliteStore::kSchemaVersion);
    CHECK(store->path() == path);
  }
  CHECK(pragma(path, "user_version") == SqliteStore::kSchemaVersion);
  CHECK(pragma(path, "application_id") == 0x464c5431);
  // Opening again migrates nothing and keeps the data.
  CHECK(SqliteStore::open(path)->schema_version() == SqliteStore::kSchemaVersion);

  exec_raw(path, "PRAGMA user_version = 99");
  std::string error = open_error(path);
  CHECK(error.find("cannot open store " + path) == 0);
  CHECK(error.find("schema version 99 is newer") != std::string::npos);
}

TEST_CASE("SqliteStore: the file is in WAL mode") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  auto store = SqliteStore::open(path);
  store->upsert(bare_incident("a", "api", at("2025-01-01T00:00:00Z")));
  store->commit();
  // journal_mode is persistent in the file; a second connection sees it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  CHECK(fs::exists(path + "-wal"));
}

TEST_CASE("SqliteStore: another application's database or a non-database file is refused") {
  TempDir dir;
  const std::string other = dir.file("other.db");
  exec_raw(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  std::string error = open_error(other);
  CHECK(error.find("cannot open store " + other + ": ") == 0);
  CHECK(error.find("another application") != std::string::npos);

  const std::string text = dir.file("notes.txt");
  {
    std::ofstream out(text);
    out << std::string(8192, 'x');
  }
  error = open_error(text);
  CHECK(error.find("cannot open store " + text + ": file is not a database") == 0);
}

TEST_CASE("SqliteStore: a directory it cannot write is refused at open with a clear message") {
  TempDir dir;
  fs::create_directories(dir.path() / "locked");
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(dir.path() / "locked", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_exec |
                                             fs::perms::others_read | fs::perms::others_exec);
  const std::string path = dir.file("locked/faultline.db");
  std::string error = in_unprivileged_child([&] { return open_error(path); });
  CHECK(error == "cannot open store " + path + ": unable to open database file (is the directory writable?)");

  const std::string nested = dir.file("locked/var/faultline.db");
  error = in_unprivileged_child([&] { return open_error(nested); });
  CHECK(error.find("cannot open store " + nested + ": cannot create directory " + dir.file("locked/var") + ": ") == 0);
  CHECK(error.find("ermission denied") != std::string::npos);
}

TEST_CASE("SqliteStore: a read-only store file is refused at open with a clear message") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  {
    auto store = SqliteStore::open(path);
    store->upsert(bare_incident("a", "api", at("2025-01-01T00:00:00Z")));
    store->commit();
  }
  fs::permissions(dir.path(), fs::perms::all);  // only the file is read-only
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  std::string error = in_unprivileged_child([&] { return open_error(path); });
  CHECK(error == "cannot open store " + path + ": the file is read-only (make it writable by the user faultline runs as)");
}

TEST_CASE("SqliteStore: a full disk fails commit with StoreError, healthy() recovers after a good commit") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  SqliteStoreOptions options;
  options.max_bytes = 64 * 1024;  // stands in for a full disk
  auto store = SqliteStore::open(path, options);
  store->upsert(bare_incident("small-1", "api", at("2025-01-01T00:00:00Z")));
  store->commit();

  Incident big = rich_incident("big");
  big.chain[0].sample = std::string(256 * 1024, 'x');
  store->upsert(big);
  store->upsert(bare_incident("small-2", "api", at("2025-01-01T00:01:00Z")));
  std::string error;
  try {
    store->commit();
  } catch (const StoreError& e) {
    error = e.what();
  }
  CHECK(error == "cannot commit to store " + path +
                     ": database or disk is full (free space on the store's disk, or raise its size cap)");
  CHECK_FALSE(store->healthy());
  // The batch was not applied in part.
  CHECK(SqliteStore::open(path)->load_incidents().size() == 1);

  // Still failing while the batch is pending; dropping it lets a later batch through.
  CHECK_THROWS_AS(store->commit(), StoreError);
  CHECK_FALSE(store->healthy());
  store->rollback();
  CHECK_FALSE(store->healthy());  // nothing has been written since the failure
  store->upsert(bare_incident("small-3", "api", at("2025-01-01T00:02:00Z")));
  store->commit();
  CHECK(store->healthy());
  auto loaded = SqliteStore::open(path)->load_incidents();
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].id == "small-1");
  CHECK(loaded[1].id == "small-3");
}

TEST_CASE("SqliteStore: a commit that failed is written by the next commit") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  SqliteStoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(0);
  auto store = SqliteStore::open(path, options);
  store->upsert(bare_incident("a", "api", at("2025-01-01T00:00:00Z")));
  store->remember_source_ids({"msg-1"}, at("2025-01-01T00:00:00Z"));
  {
    ForeignWriter other(path);
    std::string error;
    try {
      store->commit();
    } catch (const StoreError& e) {
      error = e.what();
    }
    CHECK(error == "cannot commit to store " + path +
                       ": database is locked (is another process writing to this store?)");
    CHECK_FALSE(store->healthy());
  }
  // Pub/Sub's redelivery is a duplicate now and adds no writes; its commit must
  // still make the first delivery's effects durable before it is acknowledged.
  store->commit();
  CHECK(store->healthy());
  auto reopened = SqliteStore::open(path);
  auto loaded = reopened->load_incidents();
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].id == "a");
  CHECK(reopened->load_source_ids(at("2024-01-01T00:00:00Z")).size() == 1);
}

TEST_CASE("SqliteStore: samples that are not valid UTF-8 are stored, not refused") {
  TempDir dir;
  const std::string path = dir.file("faultline.db");
  Incident i = bare_incident("a", "api", at("2025-01-01T00:00:00Z"));
  i.chain[0].sample = "bad byte \xff here";
  auto store = SqliteStore::open(path);
  store->upsert(i);
  store->commit();
  auto loaded = SqliteStore::open(path)->load_incidents();
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].chain[0].sample == "bad byte \xef\xbf\xbd here");  // U+FFFD
}

TEST_CASE("SqliteStore: query filters and pages exactly like select_incidents") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("faultline.db"));
  std::vector<Incident> all;
  const Timestamp t0 = at("2025-05-01T00:00:00Z");
  const char* services[] = {"api", "web", "worker"};
  for (int n = 0; n < 30; ++n) {
    // Pairs share an opened_at, so the id breaks ties.
    Incident i = bare_incident("id-" + std::to_string(100 + n), services[n % 3], t0 + std::chrono::minutes(n / 2));
    if (n % 4 == 1) i.state = IncidentState::acknowledged;
    if (n % 4 == 2) i.state = IncidentState::resolved;
    all.push_back(i);
    store->upsert(i);
  }
  store->commit();

  std::vector<IncidentQuery> queries(5);
  queries[1].state = IncidentState::open;
  queries[2].service = "web";
  queries[3].since = t0 + std::chrono::minutes(4);
  queries[3].state = IncidentState::resolved;
  queries[4].service = "api";
  queries[4].since = t0 + std::chrono::seconds(30);
  for (size_t q = 0; q < queries.size(); ++q) {
    for (size_t limit : {1, 4, 7, 100}) {
      CAPTURE(q);
      CAPTURE(limit);
      IncidentQuery query = queries[q];
      query.limit = limit;
      std::vector<std::string> paged;
      for (int pages = 0; pages < 100; ++pages) {
        IncidentPage from_store = store->query(query);
        IncidentPage in_memory = select_incidents(all, query);
        REQUIRE(fields_of(from_store.incidents) == fields_of(in_memory.incidents));
        REQUIRE(from_store.next == in_memory.next);
        for (const Incident& i : from_store.incidents) paged.push_back(i.id);
        if (!from_store.next) break;
        query.after = decode_cursor(encode_cursor(*from_store.next));
      }
      std::vector<std::string> expected;
      for (const Incident& i : all)
        if (matches(queries[q], i)) expected.push_back(i.id);
      CHECK(paged == expected);
    }
  }
}
