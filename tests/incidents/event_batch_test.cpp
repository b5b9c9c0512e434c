#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/event_batch.h"

using namespace faultline;
using namespace std::chrono_literals;
using namespace faultline::incident_tests;

namespace {

nlohmann::json round_trip(const EventBatch& batch) {
  // Through text, as the journal stores it.
  return to_json(event_batch_from_json(nlohmann::json::parse(to_json(batch).dump())));
}

}  // namespace

TEST_CASE("event batch: every field of events, contexts, clock and lifecycle survives the journal") {
  EventBatch batch;
  batch.events.push_back(cause("python_module_not_found", at(1s))
                             .service("api")
                             .revision("api-00042-abc")
                             .instance("i-1")
                             .k8s("prod", "shop")
                             .capture("module", "app.x")
                             .severity(Severity::critical)
                             .summary("Missing module app.x", "Add it to the image")
                             .culprit("/app/main.py", 12, "<module>")
                             .sample("ModuleNotFoundError: No module named 'app.x'")
                             .source("m-1"));
  batch.events.push_back(exit_event(at(2s), "3").service("api").terminates().source("m-2"));
  batch.contexts.push_back(cause("python_module_not_found", at(1s)).service("api").culprit("/app/a.py", 3, "f"));
  batch.clock = at(5s);
  batch.lifecycle.push_back(LifecycleAction{LifecycleKind::acknowledge, "inc-1", "bob", "", at(5s)});
  batch.lifecycle.push_back(LifecycleAction{LifecycleKind::resolve, "inc-1", "alice", "rolled back", at(6s)});
  batch.wall = at(7s);

  const nlohmann::json original = to_json(batch);
  CHECK(round_trip(batch) == original);
  EventBatch back = event_batch_from_json(original);
  REQUIRE(back.events.size() == 2);
  CHECK(back.events[0].captures == batch.events[0].captures);
  CHECK(back.events[0].culprit == batch.events[0].culprit);
  CHECK(back.events[1].terminates);
  CHECK(back.clock == batch.clock);
  REQUIRE(back.lifecycle.size() == 2);
  CHECK(back.lifecycle[0].kind == LifecycleKind::acknowledge);
  CHECK(back.lifecycle[1].kind == LifecycleKind::resolve);
  CHECK(back.lifecycle[1].note == "rolled back");
  CHECK(back.wall == batch.wall);
}

TEST_CASE("event batch: appending keeps order and the newest clock, what needs the journal") {
  EventBatch a, b;
  a.events.push_back(cause("c", at(1s)));
  a.clock = at(9s);
  a.lifecycle.push_back(LifecycleAction{LifecycleKind::acknowledge, "inc-1", "a", "", at(1s)});
  b.events.push_back(exit_event(at(2s)));
  b.clock = at(3s);
  b.lifecycle.push_back(LifecycleAction{LifecycleKind::resolve, "inc-2", "b", "", at(2s)});
  CHECK(a.needs_journal());
  a.append(std::move(b));
  REQUIRE(a.events.size() == 2);
  CHECK(a.events[1].kind == RuleKind::exit);
  CHECK(a.clock == at(9s));
  // Two operators' actions staged before one append: both reach the journal.
  REQUIRE(a.lifecycle.size() == 2);
  CHECK(a.lifecycle[1].incident_id == "inc-2");

  EventBatch clock_only;
  clock_only.clock = at(1s);
  CHECK_FALSE(clock_only.needs_journal());
  CHECK_FALSE(clock_only.empty());
}

TEST_CASE("event batch: a malformed entry is refused, naming the field") {
  auto message = [](const char* text) {
    try {
      event_batch_from_json(nlohmann::json::parse(text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message(R"({"events":[{"kind":"cause"}]})").find("events[0]: missing field \"rule\"") != std::string::npos);
  CHECK(message(R"({"events":[{"rule":"r","kind":"nope","severity":"info","time":1,"service":"s"}]})")
            .find("bad \"kind\"") != std::string::npos);
  CHECK(message(R"({"lifecycle":[{"action":"delete"}]})").find("bad lifecycle action delete") != std::string::npos);
  CHECK(message(R"({"lifecycle":{"action":"resolve"}})").find("not an array") != std::string::npos);
  CHECK(message("[]").find("JSON object") != std::string::npos);
}
