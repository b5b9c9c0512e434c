#include "incidents/timeline.h"

#include <algorithm>
#include <chrono>

namespace faultline {
namespace {

constexpr int kTimeBits = 44, kInstanceBits = 10, kKindBits = 3, kRevisionBits = 7;
static_assert(kTimeBits + kInstanceBits + kKindBits + kRevisionBits == 64);
constexpr int kRevisionShift = 0, kKindShift = kRevisionBits, kInstanceShift = kKindShift + kKindBits,
              kTimeShift = kInstanceShift + kInstanceBits;
constexpr int64_t kMaxMillis = (int64_t{1} << (kTimeBits - 1)) - 1;
constexpr int64_t kMinMillis = -(int64_t{1} << (kTimeBits - 1));

constexpr uint64_t mask(int bits) { return (uint64_t{1} << bits) - 1; }

uint64_t field(uint64_t bits, int shift, int width) { return (bits >> shift) & mask(width); }
uint64_t with_field(uint64_t bits, int shift, int width, uint64_t value) {
  return (bits & ~(mask(width) << shift)) | ((value & mask(width)) << shift);
}

int64_t millis_of(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int64_t second_of(int64_t ms) { return ms >= 0 ? ms / 1000 : (ms - 999) / 1000; }

// The same second: the lines of one traceback, or one exit told by two lines.
bool same_moment(const TimelineMark& a, const TimelineMark& b) {
  return a.kind() == b.kind() && a.instance() == b.instance() && a.revision() == b.revision() &&
         second_of(a.at_ms()) == second_of(b.at_ms());
}

}  // namespace

TimelineMark::TimelineMark(Timestamp at, RuleKind kind, size_t instance, size_t revision)
    : TimelineMark(from_millis(millis_of(at), kind, instance, revision)) {}

TimelineMark TimelineMark::from_millis(int64_t at_ms, RuleKind kind, size_t instance, size_t revision) {
  TimelineMark mark;
  const int64_t ms = std::clamp(at_ms, kMinMillis, kMaxMillis);
  mark.bits_ = with_field(0, kTimeShift, kTimeBits, static_cast<uint64_t>(ms));
  mark.bits_ = with_field(mark.bits_, kKindShift, kKindBits, static_cast<uint64_t>(kind));
  mark.set_instance(instance);
  mark.set_revision(revision);
  return mark;
}

int64_t TimelineMark::at_ms() const {
  // Arithmetic shift of the top bits restores the sign.
  return static_cast<int64_t>(bits_) >> kTimeShift;
}

Timestamp TimelineMark::at() const { return Timestamp{std::chrono::milliseconds(at_ms())}; }

RuleKind TimelineMark::kind() const {
  return static_cast<RuleKind>(field(bits_, kKindShift, kKindBits));
}

size_t TimelineMark::instance() const { return field(bits_, kInstanceShift, kInstanceBits); }
size_t TimelineMark::revision() const { return field(bits_, kRevisionShift, kRevisionBits); }

void TimelineMark::set_instance(size_t instance) {
  bits_ = with_field(bits_, kInstanceShift, kInstanceBits, std::min(instance, kNoInstance));
}

void TimelineMark::set_revision(size_t revision) {
  bits_ = with_field(bits_, kRevisionShift, kRevisionBits, std::min(revision, kNoRevision));
}

void add_mark(Timeline& marks, TimelineMark mark) {
  auto by_time = [](const TimelineMark& a, const TimelineMark& b) { return a.at_ms() < b.at_ms(); };
  const int64_t second = second_of(mark.at_ms());
  auto it = std::lower_bound(marks.begin(), marks.end(), second,
                             [](const TimelineMark& m, int64_t s) { return second_of(m.at_ms()) < s; });
  for (; it != marks.end() && second_of(it->at_ms()) == second; ++it) {
    if (!same_moment(*it, mark)) continue;
    // The earliest line of that second stands for it, whatever order they came in.
    if (it->at_ms() <= mark.at_ms()) return;
    marks.erase(it);
    break;
  }
  // Drop the middle before inserting, so the vector never grows past the cap.
  if (marks.size() >= kMaxTimelineMarks)
    marks.erase(marks.begin() + static_cast<std::ptrdiff_t>(kMaxTimelineMarks / 2));
  marks.insert(std::upper_bound(marks.begin(), marks.end(), mark, by_time), mark);
}

void name_inserted(Timeline& marks, MarkField field, size_t at) {
  for (TimelineMark& mark : marks) {
    if (field == MarkField::instance) {
      if (mark.instance() != TimelineMark::kNoInstance && mark.instance() >= at) mark.set_instance(mark.instance() + 1);
    } else {
      if (mark.revision() != TimelineMark::kNoRevision && mark.revision() >= at) mark.set_revision(mark.revision() + 1);
    }
  }
}

void name_moved(Timeline& marks, MarkField field, size_t from, size_t to) {
  if (from == to) return;
  auto moved = [&](size_t index) {
    if (index == from) return to;
    if (index >= to && index < from) return index + 1;
    return index;
  };
  for (TimelineMark& mark : marks) {
    if (field == MarkField::instance) {
      if (mark.instance() != TimelineMark::kNoInstance) mark.set_instance(moved(mark.instance()));
    } else {
      if (mark.revision() != TimelineMark::kNoRevision) mark.set_revision(moved(mark.revision()));
    }
  }
}

}  // namespace faultline
