#include "incidents/suspect_lines.h"

#include <algorithm>
#include <string_view>

#include <re2/re2.h>

namespace faultline {
namespace {

constexpr size_t kMaxLineBytes = 512;
constexpr size_t kScanBytes = 512;  // an error word further into a line is not what the line is about

// service, namespace and cluster as the correlator scopes them, then the instance.
template <class T>
std::string instance_key(const T& x) {
  std::string key;
  key.reserve(x.service.size() + x.namespace_name.size() + x.cluster.size() + x.instance.size() + 3);
  key.append(x.cluster).append(1, '\x1f').append(x.namespace_name).append(1, '\x1f');
  key.append(x.service).append(1, '\x1f').append(x.instance);
  return key;
}

bool quiet_level(std::string_view level) {
  return level == "DEBUG" || level == "INFO" || level == "NOTICE" || level == "WARNING";
}

// One case-insensitive pass over the first line (a DFA), instead of a
// lowercased copy searched once per word: most lines say none of them.
bool says_error(std::string_view text) {
  static const RE2 words("error|exception|fatal|panic|failed|failure|refused|denied|cannot |unable|abort|traceback",
                         [] {
                           RE2::Options options;  // bytes, ASCII case folding, as the words are
                           options.set_encoding(RE2::Options::EncodingLatin1);
                           options.set_case_sensitive(false);
                           return options;
                         }());
  text = text.substr(0, std::min(text.size(), kScanBytes));
  text = text.substr(0, text.find('\n'));
  return RE2::PartialMatch(text, words);
}

// Cut at a UTF-8 character boundary.
std::string clipped(std::string_view text) {
  if (text.size() <= kMaxLineBytes) return std::string(text);
  size_t end = kMaxLineBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

}  // namespace

bool is_suspect(const LogRecord& record) {
  if (record.http_status != 0 || record.stream == "requests") return false;
  if (quiet_level(record.app_level)) return false;
  if (!record.app_level.empty()) return true;  // ERROR, CRITICAL, ALERT, EMERGENCY
  // No level of its own: a trace, an error word, or what the platform saw of it
  // (stderr, which Cloud Run and GKE also mark severity ERROR).
  return !record.exceptions.empty() || record.stream == "stderr" || says_error(record.text) ||
         record.severity == "ERROR" || record.severity == "CRITICAL" || record.severity == "ALERT" ||
         record.severity == "EMERGENCY";
}

std::string suspect_line(const LogRecord& record) {
  if (!record.exceptions.empty()) return clipped(record.exceptions.front());
  std::string_view text = record.text;
  while (!text.empty() && (text.front() == '\n' || text.front() == '\r')) text.remove_prefix(1);
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return clipped(text);
}

void SuspectLog::note(const LogRecord& record) {
  if (is_suspect(record)) keep(record);
}

void SuspectLog::keep(const LogRecord& record) {
  if (limits_.lines_per_instance == 0) return;
  Lines& entry = by_instance_[instance_key(record)];
  entry.touched = ++clock_;
  // Full: the oldest line goes first (or the new one, when it is older than
  // all), so the vector never grows past the limit: thousands of instances
  // keep their lines, and a spare capacity each would add up.
  if (entry.lines.size() >= limits_.lines_per_instance) {
    if (record.time < entry.lines.front().time) return;
    entry.lines.erase(entry.lines.begin());
  } else if (entry.lines.capacity() == 0) {
    entry.lines.reserve(limits_.lines_per_instance);
  }
  auto at = std::upper_bound(entry.lines.begin(), entry.lines.end(), record.time,
                             [](Timestamp t, const Kept& kept) { return t < kept.time; });
  entry.lines.insert(at, Kept{record.time, suspect_line(record)});
  if (by_instance_.size() > limits_.instances) evict();
}

std::vector<SuspectLine> SuspectLog::before(const Event& crash) const {
  std::vector<SuspectLine> out;
  auto it = by_instance_.find(instance_key(crash));
  if (it == by_instance_.end()) return out;
  const Timestamp from = crash.time - limits_.window;
  for (const Kept& kept : it->second.lines)
    if (kept.time >= from && kept.time <= crash.time) out.push_back(SuspectLine{kept.time, crash.instance, kept.line});
  return out;
}

// Drops the least recently written 1 % (at least one), so that eviction is rare.
void SuspectLog::evict() {
  std::vector<std::pair<uint64_t, const std::string*>> order;
  order.reserve(by_instance_.size());
  for (const auto& [key, entry] : by_instance_) order.emplace_back(entry.touched, &key);
  const size_t drop = std::max<size_t>(1, by_instance_.size() - limits_.instances + limits_.instances / 100);
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop - 1), order.end());
  std::vector<std::string> gone;
  for (size_t i = 0; i < drop; ++i) gone.push_back(*order[i].second);
  for (const std::string& key : gone) by_instance_.erase(key);
}

}  // namespace faultline
