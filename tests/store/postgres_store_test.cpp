// The PostgreSQL store and journal against a real PostgreSQL server.
#include <doctest/doctest.h>

#include <thread>

#include "tests/support/event_builder.h"
#include "store/incident_codec.h"
#include "store/postgres_store.h"
#include "tests/support/sample_incidents.h"
#include "tests/support/postgres_server.h"

using namespace faultline;
using namespace std::chrono_literals;
using faultline::testing::PostgresServer;

namespace {

PostgresServer& server() {
  static PostgresServer instance;  // one server for the suite; a database per test
  return instance;
}

std::string fresh_database() {
  static int counter = 0;
  return server().create_database("store_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
}

EventBatch batch_of(std::vector<Event> events) {
  EventBatch batch;
  batch.events = std::move(events);
  return batch;
}

}  // namespace

TEST_CASE("postgres store: incidents written, removed and read back whole, the snapshot position with them") {
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  CHECK(store->schema_version() == PostgresStore::kSchemaVersion);

  Incident rich = faultline::testing::rich_incident("inc-1");
  Incident bare = faultline::testing::bare_incident("inc-2", "api", faultline::testing::at("2025-09-16T01:00:00Z"));
  store->upsert(rich);
  store->upsert(bare);
  store->set_snapshot_seq(7);
  store->commit();

  auto reopened = PostgresStore::open(url);  // a second connection sees what was committed
  PostgresStore::Snapshot snapshot = reopened->load_snapshot();
  CHECK(snapshot.seq == 7);
  REQUIRE(snapshot.incidents.size() == 2);
  CHECK(faultline::testing::every_field(snapshot.incidents[0]) == faultline::testing::every_field(rich));
  CHECK(faultline::testing::every_field(snapshot.incidents[1]) == faultline::testing::every_field(bare));

  store->remove("inc-1");
  store->commit();
  CHECK(reopened->load_incidents().size() == 1);

  // Rolled back: nothing of it reaches the database.
  store->upsert(faultline::testing::rich_incident("inc-3"));
  store->rollback();
  store->commit();
  CHECK(reopened->load_incidents().size() == 1);

  // A new leader replaces the snapshot with its whole state.
  reopened->replace_all({faultline::testing::rich_incident("inc-4")}, 12);
  snapshot = store->load_snapshot();
  CHECK(snapshot.seq == 12);
  REQUIRE(snapshot.incidents.size() == 1);
  CHECK(snapshot.incidents[0].id == "inc-4");
}

TEST_CASE("postgres store: dedup ids kept per the horizon, any bytes") {
  auto store = PostgresStore::open(fresh_database());
  const Timestamp t = faultline::testing::at("2025-09-16T01:00:00Z");
  store->remember_source_ids({"a|projects/p/logs/x", std::string("nul\0byte", 8), "bad\xff utf8"}, t);
  store->remember_source_ids({"old"}, t - 2h);
  store->commit();
  auto ids = store->load_source_ids(t - 1h);
  REQUIRE(ids.size() == 3);
  std::vector<std::string> names;
  for (const auto& [id, seen] : ids) names.push_back(id);
  CHECK(std::find(names.begin(), names.end(), std::string("nul\0byte", 8)) != names.end());
  CHECK(std::find(names.begin(), names.end(), "old") == names.end());
}

TEST_CASE("postgres store: migrations run once with replicas starting together, a newer schema is refused") {
  const std::string url = fresh_database();
  std::vector<std::thread> starting;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i)
    starting.emplace_back([&] {
      if (PostgresStore::open(url)) ++opened;
    });
  for (auto& t : starting) t.join();
  CHECK(opened == 4);
  const std::string database = url.substr(url.rfind('/') + 1);
  CHECK(server().psql(database, "SELECT count(*) FROM faultline_schema").out == "1\n");

  server().psql(database, "INSERT INTO faultline_schema (version) VALUES (99)");
  try {
    PostgresStore::open(url);
    FAIL("a schema newer than this faultline must be refused");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find("schema version 99 is newer") != std::string::npos);
  }
}

TEST_CASE("postgres store: an unreachable server is named, without the password") {
  const std::string url = "postgres://faultline:s3cret@127.0.0.1:" +
                          std::to_string(faultline::testing::free_loopback_port()) + "/nothing";
  try {
    PostgresStore::open(url);
    FAIL("expected StoreError");
  } catch (const StoreError& e) {
    const std::string message = e.what();
    CHECK(message.find("postgres://faultline:***@127.0.0.1:") != std::string::npos);
    CHECK(message.find("s3cret") == std::string::npos);
    CHECK(message.find("is PostgreSQL running") != std::string::npos);
  }
}

TEST_CASE("postgres journal: one order for all replicas, a record appended twice counts once") {
  using faultline::incident_tests::cause;
  using faultline::incident_tests::exit_event;
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  PostgresJournal a(url, "a"), b(url, "b");
  const Timestamp now = faultline::incident_tests::at(0s);

  Event cause_event = cause("python_module_not_found", now).service("api").source("m-1");
  Event exit_one = exit_event(now + 1s).service("api").source("m-2");
  auto first = a.append(batch_of({cause_event, exit_one}), "a/1", now);
  REQUIRE(first.seq);
  CHECK(first.duplicates == 0);

  // Pub/Sub delivered m-2 again, to the other replica, with a new m-3.
  Event exit_two = exit_event(now + 2s).service("api").source("m-3");
  auto second = b.append(batch_of({exit_one, exit_two}), "b/1", now);
  REQUIRE(second.seq);
  CHECK(*second.seq > *first.seq);
  CHECK(second.duplicates == 1);

  // Only duplicates: nothing is appended.
  auto third = b.append(batch_of({exit_two}), "b/2", now);
  CHECK_FALSE(third.seq);
  CHECK(third.duplicates == 1);

  for (PostgresJournal* reader : {&a, &b}) {
    auto entries = reader->read_after(0, 100);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].seq == *first.seq);
    REQUIRE(entries[1].batch.events.size() == 1);
    CHECK(entries[1].batch.events[0].source_id == "m-3");
    CHECK(reader->read_after(*second.seq, 100).empty());
  }
}

TEST_CASE("postgres journal: concurrent appends are read back in commit order, none skipped") {
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  constexpr int kWriters = 4, kEach = 50;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      PostgresJournal journal(url, "w" + std::to_string(w));
      for (int i = 0; i < kEach; ++i) {
        Event e = faultline::incident_tests::exit_event(faultline::incident_tests::at(std::chrono::seconds(i)))
                      .service("svc")
                      .source("w" + std::to_string(w) + "-" + std::to_string(i));
        journal.append(batch_of({e}), "w" + std::to_string(w) + "/" + std::to_string(i), faultline::incident_tests::at(0s));
      }
    });
  // A reader following along while they write must see every entry exactly once.
  PostgresJournal reader(url, "reader");
  int64_t position = 0;
  size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (seen < kWriters * kEach && std::chrono::steady_clock::now() < deadline) {
    for (const auto& entry : reader.read_after(position, 7)) {
      CHECK(entry.seq > position);
      position = entry.seq;
      ++seen;
    }
    reader.wait(20ms);
  }
  for (auto& t : writers) t.join();
  CHECK(seen == kWriters * kEach);
}

TEST_CASE("postgres journal: one leader at a time, the lock passes on when its session ends") {
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  auto first = std::make_unique<PostgresJournal>(url, "first");
  PostgresJournal second(url, "second");
  CHECK(first->try_lead());
  CHECK(first->try_lead());  // idempotent
  CHECK_FALSE(second.try_lead());
  first.reset();  // the process died: its connection closed
  CHECK(faultline::testing::eventually([&] { return second.try_lead(); }, 5000ms));
}

TEST_CASE("postgres journal: an append retried under its key after a lost COMMIT answer is not appended twice") {
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  PostgresJournal journal(url, "a");
  EventBatch batch;
  // No source id (NDJSON from a shipper): only the key can tell a retry.
  batch.events.push_back(faultline::incident_tests::exit_event(faultline::incident_tests::at(1s)).service("api"));
  batch.lifecycle.push_back(LifecycleAction{LifecycleKind::acknowledge, "inc-1", "alice", "", faultline::incident_tests::at(2s)});
  auto first = journal.append(batch, "a/7", faultline::incident_tests::at(0s));
  auto retried = journal.append(batch, "a/7", faultline::incident_tests::at(0s));
  REQUIRE(first.seq);
  CHECK(retried.seq == first.seq);
  CHECK(journal.read_after(0, 10).size() == 1);
  auto other = journal.append(batch, "a/8", faultline::incident_tests::at(0s));  // a new batch, same content
  CHECK(other.seq > first.seq);
}

TEST_CASE("postgres store: a replica that no longer leads cannot move the snapshot back") {
  const std::string url = fresh_database();
  auto old_leader = PostgresStore::open(url);
  auto new_leader = PostgresStore::open(url);
  new_leader->replace_all({faultline::testing::rich_incident("inc-1")}, 20);
  old_leader->upsert(faultline::testing::rich_incident("inc-stale"));
  old_leader->set_snapshot_seq(15);
  CHECK_THROWS_WITH_AS(old_leader->commit(), doctest::Contains("another replica leads"), StoreError);
  old_leader->rollback();
  PostgresStore::Snapshot snapshot = new_leader->load_snapshot();
  CHECK(snapshot.seq == 20);
  REQUIRE(snapshot.incidents.size() == 1);  // nothing of the refused commit landed
  CHECK(snapshot.incidents[0].id == "inc-1");
}

TEST_CASE("postgres journal: a replica behind what the leader pruned is told to reload") {
  const std::string url = fresh_database();
  auto store = PostgresStore::open(url);
  PostgresJournal leader(url, "leader"), lagging(url, "lagging");
  for (int i = 0; i < 3; ++i) {
    EventBatch batch;
    batch.clock = faultline::incident_tests::at(std::chrono::seconds(i));
    leader.append(batch, "leader/" + std::to_string(i), faultline::incident_tests::at(0s));
  }
  store->set_snapshot_seq(2);
  store->commit();
  leader.prune(faultline::incident_tests::at(0s), std::chrono::seconds(0), 2);  // retention 0: entries 1-2 go
  CHECK(leader.read_after(2, 10).size() == 1);  // the leader itself is past them
  CHECK_THROWS_AS(lagging.read_after(0, 10), JournalGap);
}
