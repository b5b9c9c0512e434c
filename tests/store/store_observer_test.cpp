#include <doctest/doctest.h>

#include "store/store_observer.h"

namespace faultline {
namespace {

// Records what reached the store, and fails commits on demand.
struct FakeStore final : IncidentStore {
  std::map<std::string, Incident> pending, committed;
  std::vector<std::string> removed, pending_ids, committed_ids;
  int commits = 0;
  bool fail = false;

  void upsert(const Incident& incident) override { pending[incident.id] = incident; }
  void remove(const std::string& id) override { removed.push_back(id); pending.erase(id); committed.erase(id); }
  void remember_source_ids(const std::vector<std::string>& ids, Timestamp) override {
    pending_ids.insert(pending_ids.end(), ids.begin(), ids.end());
  }
  void commit() override {
    ++commits;
    if (fail) throw StoreError("disk full");
    for (auto& [id, incident] : pending) committed[id] = incident;
    committed_ids.insert(committed_ids.end(), pending_ids.begin(), pending_ids.end());
    pending.clear();
    pending_ids.clear();
  }
  void rollback() override {}
  std::vector<Incident> load_incidents() override { return {}; }
  std::vector<std::pair<std::string, Timestamp>> load_source_ids(Timestamp) override { return {}; }
  bool healthy() const override { return !fail; }
};

Incident incident(std::string id, int occurrences) {
  Incident i;
  i.id = std::move(id);
  i.occurrences = occurrences;
  return i;
}

Event event(std::string source_id) {
  Event e;
  e.source_id = std::move(source_id);
  return e;
}

}  // namespace

TEST_CASE("sealed batches are committed together and the latest copy wins") {
  FakeStore store;
  StoreObserver observer(store, [] { return Timestamp{}; });
  Incident a1 = incident("a", 1), a2 = incident("a", 2);
  observer.on_event(event("m1"));
  observer.on_change({IncidentChange::Type::opened, "a", ""}, &a1);
  observer.on_batch_end();
  observer.on_event(event("m2"));
  observer.on_event(event("m2"));  // two rules fired on one record
  observer.on_change({IncidentChange::Type::updated, "a", ""}, &a2);
  observer.on_batch_end();
  CHECK(store.commits == 0);  // nothing touches the store under the pipeline's lock

  observer.sync(observer.sealed());
  CHECK(store.commits == 1);
  CHECK(store.committed.at("a").occurrences == 2);
  CHECK(store.committed_ids == std::vector<std::string>{"m1", "m2"});

  observer.sync(1);  // already covered: no second commit
  CHECK(store.commits == 1);
}

TEST_CASE("an unsealed batch is never committed, so ids are never durable without their incidents") {
  FakeStore store;
  StoreObserver observer(store, [] { return Timestamp{}; });
  Incident a = incident("a", 1);
  observer.on_event(event("m1"));
  observer.on_change({IncidentChange::Type::opened, "a", ""}, &a);
  observer.on_batch_end();
  observer.on_event(event("m2"));  // a batch in progress on another thread
  observer.sync(observer.sealed());
  CHECK(store.committed_ids == std::vector<std::string>{"m1"});
}

TEST_CASE("an undo given to sync runs when the commit fails, before the next sync, and only then") {
  FakeStore store;
  StoreObserver observer(store, [] { return Timestamp{}; });
  Incident acked = incident("a", 1), before = incident("a", 1);
  acked.state = IncidentState::acknowledged;
  int undone = 0;
  // What Pipeline::undo does through the observer: the incident as it was, sealed.
  auto undo = [&] {
    ++undone;
    observer.on_change({IncidentChange::Type::updated, "a", ""}, &before);
    observer.on_batch_end();
  };
  observer.on_change({IncidentChange::Type::acknowledged, "a", ""}, &acked);
  observer.on_batch_end();
  store.fail = true;
  CHECK_THROWS_AS(observer.sync(observer.sealed(), undo), StoreError);
  CHECK(undone == 1);
  store.fail = false;
  observer.sync(observer.sealed(), undo);  // another request's commit: the store holds the incident as it was
  CHECK(undone == 1);
  CHECK(store.committed.at("a").state == IncidentState::open);
}

TEST_CASE("merged incidents are removed and a failed commit is retried by the next sync") {
  FakeStore store;
  StoreObserver observer(store, [] { return Timestamp{}; });
  Incident a = incident("a", 1);
  observer.on_change({IncidentChange::Type::opened, "a", ""}, &a);
  observer.on_change({IncidentChange::Type::merged, "b", "a"}, nullptr);
  observer.on_batch_end();
  store.fail = true;
  CHECK_THROWS_AS(observer.sync(observer.sealed()), StoreError);
  CHECK_FALSE(observer.healthy());
  CHECK(store.removed == std::vector<std::string>{"b"});
  store.fail = false;
  observer.sync(observer.sealed());
  CHECK(observer.healthy());
  CHECK(store.committed.count("a") == 1);
}

}  // namespace faultline

namespace faultline {

TEST_CASE("a batch that changed nothing costs no transaction, unless a failed one waits") {
  FakeStore store;
  StoreObserver observer(store, [] { return Timestamp{}; });
  observer.on_batch_end();  // a timer tick that flushed nothing
  observer.sync(observer.sealed());
  CHECK(store.commits == 0);

  Incident a;
  a.id = "a";
  observer.on_change({IncidentChange::Type::opened, "a", ""}, &a);
  observer.on_batch_end();
  store.fail = true;
  CHECK_THROWS_AS(observer.sync(observer.sealed()), StoreError);
  store.fail = false;
  observer.on_batch_end();  // the next tick retries the pending write
  observer.sync(observer.sealed());
  CHECK(store.commits == 2);
  CHECK(store.committed.count("a") == 1);
  CHECK(observer.healthy());
}

}  // namespace faultline
