// The incident's timeline: when each instance printed its cause, effects and
// exits, compact enough to keep on every incident (the picture of
// timeline_svg.h is drawn from it). A mark is 8 bytes: event time in
// milliseconds, the kind of rule, and the instance and revision as positions in
// the incident's own `instances` and `revisions` lists, so no name is copied.
//
// Bounds: kMaxTimelineMarks per incident, by time; past that the earliest half
// stays (how it started) and the latest half slides (how it goes now), the
// middle is dropped. One mark per (instance, kind, revision, second), at the
// earliest such line: the lines of one traceback are one mark.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "parsers/timestamp.h"
#include "rules/rule.h"

namespace faultline {

inline constexpr size_t kMaxTimelineMarks = 128;

class TimelineMark {
 public:
  // Positions past these mean "none" (an event without an instance or revision,
  // or one beyond the incident's caps).
  static constexpr size_t kNoInstance = 1023;  // 10 bits
  static constexpr size_t kNoRevision = 127;   // 7 bits

  TimelineMark() = default;
  // Times outside about 1692–2248 are clamped (44 bits of milliseconds).
  TimelineMark(Timestamp at, RuleKind kind, size_t instance, size_t revision);
  static TimelineMark from_millis(int64_t at_ms, RuleKind kind, size_t instance, size_t revision);

  int64_t at_ms() const;
  Timestamp at() const;
  RuleKind kind() const;
  size_t instance() const;  // kNoInstance when none
  size_t revision() const;  // kNoRevision when none

  void set_instance(size_t instance);
  void set_revision(size_t revision);

  bool operator==(const TimelineMark&) const = default;

 private:
  uint64_t bits_ = 0;  // at_ms (44, two's complement) | instance (10) | kind (3) | revision (7)
};
static_assert(sizeof(TimelineMark) == 8);

using Timeline = std::vector<TimelineMark>;

// Adds a mark in time order, within the bounds above.
void add_mark(Timeline& marks, TimelineMark mark);

// The incident's instance or revision list changed order (names are kept in
// order of first appearance): keep marks pointing at the same names.
enum class MarkField { instance, revision };
// A new name went in at `at`: later names moved one down.
void name_inserted(Timeline& marks, MarkField field, size_t at);
// A known name moved from `from` up to `to` (to <= from; it was seen earlier).
void name_moved(Timeline& marks, MarkField field, size_t from, size_t to);

}  // namespace faultline
