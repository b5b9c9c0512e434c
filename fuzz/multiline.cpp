// Fuzz target: MultilineAssembler (parsers/multiline.h) fed line by line, with
// flushes, then flushed whole.
//
// Input: a schedule line, then the log lines. Line i is driven by schedule byte
// i % size (0 when the schedule is empty):
//   bits 0-1  instance (4 instances), bit 2 stream (stdout / stderr),
//   bits 3-5  event-time step before the line (0, 1 ms, 100 ms, 1 s, 1.999 s,
//             2 s, 5 s, or 3 s back in time),
//   bit 6     flush_older_than(now) after the line,
//   bit 7     the line and the next one are pushed as one multi-line record.
// An odd-length schedule runs with tiny limits (4 lines, 256 bytes, 2 pending
// streams) so the cutting and overflow paths run as well as the defaults.
//
// Checks, per (instance, stream): the texts that come out, joined by '\n', are
// the texts that went in, joined by '\n' (every line exactly once, in its
// stream's order: multiline.h's contract); nothing is pending after flush_all;
// every output string is valid UTF-8 (culprit and exception lines are cut from
// the text).
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "parsers/multiline.h"
#include "parsers/utf8.h"

namespace {

using namespace std::chrono_literals;
using faultline::LogRecord;
using faultline::fuzz::require;

constexpr std::chrono::nanoseconds kSteps[8] = {0ms, 1ms, 100ms, 1s, 1999ms, 2s, 5s, -3s};

// Records come from the parsers, which only emit valid UTF-8.
std::string valid_utf8(std::string_view line) {
  std::string out(line);
  for (size_t bad; (bad = faultline::find_invalid_utf8(out)) != std::string::npos;) out[bad] = '?';
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = faultline::fuzz::bytes(data, size);
  const size_t first_nl = input.find('\n');
  if (first_nl == std::string_view::npos) return 0;
  const std::string_view schedule = input.substr(0, first_nl);
  const std::vector<std::string_view> lines = split_lines(input.substr(first_nl + 1));

  faultline::MultilineOptions options;
  if (schedule.size() % 2 == 1) {
    options.max_lines = 4;
    options.max_bytes = 256;
    options.max_pending = 2;
  }
  faultline::MultilineAssembler assembler(options);

  using Key = std::pair<std::string, std::string>;  // instance, stream
  std::map<Key, std::string> sent, received;
  auto append = [](std::string& joined, bool& first, const std::string& text) {
    if (!first) joined += '\n';
    joined += text;
    first = false;
  };
  std::map<Key, bool> sent_first, received_first;
  auto record_out = [&](const std::vector<LogRecord>& out) {
    for (const LogRecord& r : out) {
      faultline::fuzz::check_record(r);
      Key key{r.instance, r.stream};
      auto [it, fresh] = received_first.try_emplace(key, true);
      append(received[key], it->second, r.text);
    }
  };

  faultline::Timestamp now{std::chrono::seconds(1760000000)};
  std::vector<LogRecord> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const uint8_t control = schedule.empty() ? 0 : static_cast<uint8_t>(schedule[i % schedule.size()]);
    now += kSteps[(control >> 3) & 7];
    LogRecord record;
    record.time = now;
    record.service = "svc";
    record.instance = "i" + std::to_string(control & 3);
    record.stream = (control & 4) ? "stdout" : "stderr";
    record.severity = "ERROR";
    record.text = valid_utf8(lines[i]);
    if ((control & 0x80) && i + 1 < lines.size()) record.text += "\n" + valid_utf8(lines[++i]);
    Key key{record.instance, record.stream};
    auto [it, fresh] = sent_first.try_emplace(key, true);
    append(sent[key], it->second, record.text);

    out.clear();
    assembler.push(std::move(record), out);
    record_out(out);
    if (control & 0x40) {
      out.clear();
      assembler.flush_older_than(now, out);
      record_out(out);
    }
  }
  out.clear();
  assembler.flush_all(out);
  record_out(out);
  require(assembler.pending() == 0, "traces still pending after flush_all");
  for (const auto& [key, text] : sent) {
    auto it = received.find(key);
    require(it != received.end() && it->second == text,
            "lines of " + key.first + "/" + key.second + " lost, duplicated or reordered");
  }
  require(received.size() == sent.size(), "records came out of a stream that was never fed");
  return 0;
}
