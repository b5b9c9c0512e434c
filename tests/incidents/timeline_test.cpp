// The marks an incident keeps for its timeline picture: per instance, over
// event time, bounded, whatever order the events arrive in.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "incidents/timeline.h"
#include "tests/support/event_builder.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

// (instance name, kind, milliseconds, revision name) of every mark, by name so
// that incidents whose lists were built in different orders compare.
std::set<std::tuple<std::string, std::string, int64_t, std::string>> named_marks(const Incident& inc) {
  std::set<std::tuple<std::string, std::string, int64_t, std::string>> out;
  for (const TimelineMark& m : inc.timeline)
    out.emplace(m.instance() < inc.instances.size() ? inc.instances[m.instance()] : "-",
                std::string(to_string(m.kind())), m.at_ms(),
                m.revision() < inc.revisions.size() ? inc.revisions[m.revision()] : "-");
  return out;
}

int64_t ms(Timestamp t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

}  // namespace

TEST_CASE("timeline: the seed cascade keeps each instance's cause, effects and exit, one mark per second") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, seed_events());
  const Incident& inc = *c.incidents().at(0);
  REQUIRE(inc.instances.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    auto count = [&](RuleKind kind) {
      return std::count_if(inc.timeline.begin(), inc.timeline.end(),
                           [&](const TimelineMark& m) { return m.instance() == i && m.kind() == kind; });
    };
    // The details line and the traceback's last line, 6 ms apart, are one cause mark.
    CHECK(count(RuleKind::cause) == 1);
    // The middleware effect (second 35), then gunicorn's two lines (second 36): two marks.
    CHECK(count(RuleKind::effect) == 2);
    CHECK(count(RuleKind::exit) == 1);
  }
  // Cloud Run's 503 names no instance.
  CHECK(std::count_if(inc.timeline.begin(), inc.timeline.end(), [](const TimelineMark& m) {
          return m.instance() == TimelineMark::kNoInstance;
        }) == 3);
  CHECK(std::all_of(inc.timeline.begin(), inc.timeline.end(),
                    [](const TimelineMark& m) { return m.revision() == 0; }));
  CHECK(inc.timeline.front().at_ms() == ms(inc.opened_at));
  CHECK(std::is_sorted(inc.timeline.begin(), inc.timeline.end(),
                       [](const TimelineMark& a, const TimelineMark& b) { return a.at_ms() < b.at_ms(); }));
}

TEST_CASE("timeline: marks stay on their instance and revision when events arrive in any order") {
  FakeWall wall;
  Correlator forward({}, wall.clock());
  feed(forward, seed_events());
  // Two revisions, so that the revision list is reordered too.
  std::vector<Event> events = seed_events();
  for (size_t n = 0; n < events.size(); ++n)
    if (events[n].time > at(15s)) events[n].revision = "netra-backend-staging-00735-new";
  Correlator two({}, wall.clock());
  feed(two, events);
  const auto expected = named_marks(*two.incidents().at(0));
  CHECK(expected.size() == 15);

  for (const auto& order : {reversed(events), shuffled(events, 7), shuffled(events, 11)}) {
    Correlator c({}, wall.clock());
    feed(c, order);
    CHECK(named_marks(*c.incidents().at(0)) == expected);
  }
  CHECK(named_marks(*forward.incidents().at(0)).size() == 15);
}

TEST_CASE("timeline: past the cap the earliest half and the latest marks stay") {
  Timeline marks;
  for (int64_t n = 0; n < 300; ++n)
    add_mark(marks, TimelineMark::from_millis(n * 1000, RuleKind::exit, 0, 0));
  REQUIRE(marks.size() == kMaxTimelineMarks);
  CHECK(marks.capacity() == kMaxTimelineMarks);
  for (size_t n = 0; n < kMaxTimelineMarks / 2; ++n) CHECK(marks[n].at_ms() == static_cast<int64_t>(n) * 1000);
  for (size_t n = 0; n < kMaxTimelineMarks / 2; ++n)
    CHECK(marks[kMaxTimelineMarks - 1 - n].at_ms() == static_cast<int64_t>(299 - n) * 1000);
}

TEST_CASE("timeline: a mark keeps its fields in 8 bytes, and times beyond its range are clamped") {
  const Timestamp t = *parse_rfc3339("2025-11-07T10:01:05.789278Z");
  const TimelineMark m(t, RuleKind::loop, 999, 99);
  CHECK(m.at_ms() == ms(t));
  CHECK(m.kind() == RuleKind::loop);
  CHECK(m.instance() == 999);
  CHECK(m.revision() == 99);
  const TimelineMark old(*parse_rfc3339("1969-12-31T23:59:59.5Z"), RuleKind::cause, 5000, 5000);
  CHECK(old.at_ms() == -500);
  CHECK(old.instance() == TimelineMark::kNoInstance);
  CHECK(old.revision() == TimelineMark::kNoRevision);
  const TimelineMark far = TimelineMark::from_millis(INT64_MAX, RuleKind::effect, 1, 2);
  CHECK(far.at_ms() > ms(*parse_rfc3339("2200-01-01T00:00:00Z")));
  CHECK(far.kind() == RuleKind::effect);
}

TEST_CASE("timeline: a name inserted or moved earlier keeps the other marks on their names") {
  Timeline marks = {TimelineMark::from_millis(0, RuleKind::cause, 0, 0),
                    TimelineMark::from_millis(1, RuleKind::cause, 1, 1),
                    TimelineMark::from_millis(2, RuleKind::cause, 2, TimelineMark::kNoRevision)};
  name_inserted(marks, MarkField::instance, 1);  // a, b, c -> a, new, b, c
  CHECK(marks[0].instance() == 0);
  CHECK(marks[1].instance() == 2);
  CHECK(marks[2].instance() == 3);
  name_moved(marks, MarkField::instance, 3, 0);  // a, new, b, c -> c, a, new, b
  CHECK(marks[0].instance() == 1);
  CHECK(marks[1].instance() == 3);
  CHECK(marks[2].instance() == 0);
  name_inserted(marks, MarkField::revision, 0);
  CHECK(marks[0].revision() == 1);
  CHECK(marks[1].revision() == 2);
  CHECK(marks[2].revision() == TimelineMark::kNoRevision);
}
