#include "parsers/multiline.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "parsers/culprit.h"

namespace faultline {

namespace {

// now - last > limit, computed so that no pair of times can overflow.
bool silent_for(Timestamp last, Timestamp now, std::chrono::nanoseconds limit) {
  if (now <= last) return false;
  if (limit.count() < 0) return true;
  uint64_t gap = static_cast<uint64_t>(now.time_since_epoch().count()) -
                 static_cast<uint64_t>(last.time_since_epoch().count());
  return gap > static_cast<uint64_t>(limit.count());
}

}  // namespace

MultilineAssembler::MultilineAssembler(MultilineOptions options) : options_(options) {
  options_.max_lines = std::max<size_t>(options_.max_lines, 1);
  options_.max_bytes = std::max<size_t>(options_.max_bytes, 1);
}

void MultilineAssembler::push(LogRecord record, std::vector<LogRecord>& out) {
  if (record.text.find('\n') == std::string::npos) {
    feed(std::move(record), out);
    return;
  }
  if (!pending_.empty()) close_stream(KeyView{record.service, record.instance, record.stream}, out);
  // The pipeline annotates payloads before matching; no need to read the trace twice.
  if (record.exceptions.empty() && !record.culprit) annotate_trace(record);
  out.push_back(std::move(record));
}

void MultilineAssembler::feed(LogRecord&& record, std::vector<LogRecord>& out) {
  // Each pass either consumes the record or closes a trace; closing re-feeds only the
  // lines that trace held, which are fewer each time, so this ends.
  while (true) {
    auto it = pending_.empty() ? pending_.end()
                               : pending_.find(KeyView{record.service, record.instance, record.stream});
    if (it == pending_.end()) {
      start_or_pass(std::move(record), out);
      return;
    }
    Pending& p = it->second;
    if (silent_for(p.last_time, record.time, options_.flush_after)) {
      close(it, out);
      continue;
    }
    const Step step = continue_trace(p.state, record.text);
    switch (step.verdict) {
      case Verdict::belongs:
      case Verdict::last: {
        std::vector<LogRecord> held = std::move(p.held);
        p.held.clear();
        p.held_bytes = 0;
        for (LogRecord& line : held) append(p, std::move(line), out);
        append(p, std::move(record), out);
        if (step.verdict == Verdict::last) close(it, out);
        return;
      }
      case Verdict::tentative:
        if (p.held.size() < kMaxTentativeLines && p.held_bytes + record.text.size() <= options_.max_bytes) {
          p.held_bytes += record.text.size();
          p.last_time = std::max(p.last_time, record.time);
          p.held.push_back(std::move(record));
          return;
        }
        close(it, out);
        continue;
      case Verdict::ends:
        close(it, out);
        continue;
    }
  }
}

void MultilineAssembler::start_or_pass(LogRecord&& record, std::vector<LogRecord>& out) {
  TraceState state;
  LineRole role;
  if (!begin_trace(record.text, state, role) || pending_.size() >= options_.max_pending) {
    out.push_back(std::move(record));
    return;
  }
  Key key{record.service, record.instance, record.stream};
  Pending p;
  p.state = state;
  p.lines = 1;
  p.last_time = record.time;
  p.head = std::move(record);
  pending_.emplace(std::move(key), std::move(p));
}

void MultilineAssembler::append(Pending& p, LogRecord&& line, std::vector<LogRecord>& out) {
  p.last_time = std::max(p.last_time, line.time);
  if (p.lines >= options_.max_lines || p.head.text.size() + 1 + line.text.size() > options_.max_bytes) {
    LogRecord piece = std::move(p.head);
    const size_t piece_lines = p.lines;
    p.head = std::move(line);
    p.lines = 1;
    emit(std::move(piece), piece_lines, out);
    return;
  }
  p.head.text.push_back('\n');
  p.head.text.append(line.text);
  ++p.lines;
}

void MultilineAssembler::emit(LogRecord&& record, size_t lines, std::vector<LogRecord>& out) {
  if (lines >= 2) annotate_trace(record);
  out.push_back(std::move(record));
}

void MultilineAssembler::close(PendingMap::iterator it, std::vector<LogRecord>& out) {
  Pending p = std::move(it->second);
  pending_.erase(it);
  emit(std::move(p.head), p.lines, out);
  // The held lines never joined the trace: they are ordinary lines again.
  for (LogRecord& line : p.held) feed(std::move(line), out);
}

void MultilineAssembler::close_stream(const KeyView& key, std::vector<LogRecord>& out) {
  for (auto it = pending_.find(key); it != pending_.end(); it = pending_.find(key)) close(it, out);
}

void MultilineAssembler::flush_older_than(Timestamp now, std::vector<LogRecord>& out) {
  if (pending_.empty()) return;
  std::vector<Key> expired;
  for (const auto& [key, p] : pending_)
    if (silent_for(p.last_time, now, options_.flush_after)) expired.push_back(key);
  for (const Key& key : expired) {
    // Lines a closed trace held may start another trace, no newer than it.
    const KeyView view = KeyLess::view(key);
    for (auto it = pending_.find(view);
         it != pending_.end() && silent_for(it->second.last_time, now, options_.flush_after);
         it = pending_.find(view))
      close(it, out);
  }
}

void MultilineAssembler::flush_all(std::vector<LogRecord>& out) {
  while (!pending_.empty()) close(pending_.begin(), out);
}

size_t MultilineAssembler::pending() const { return pending_.size(); }

void annotate_trace(LogRecord& record) {
  TraceSummary summary;
  if (!summarize_trace(record.text, summary)) return;
  record.exceptions = std::move(summary.exceptions);
  record.culprit = std::move(summary.culprit);
}

}  // namespace faultline
