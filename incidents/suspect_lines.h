// SuspectLog: the lines each instance printed last that look like an error, so
// that a crash no rule explains still shows what most likely caused it (the
// README's "Crashes with no known cause").
//
// A record is a suspect when no rule matched it and it reads as an error: the
// application's level is ERROR or above; or it has no level of its own and is
// an exception trace (its root exception is kept), was written to stderr, has
// a LogEntry severity of ERROR or above, or says error, exception, fatal,
// panic, failed, … in its first line. A record the application logged at
// DEBUG, INFO, NOTICE or WARNING is not one, whatever it quotes, and neither
// is a request log.
//
// Bounded: the latest few lines per instance, and a capped number of
// instances, the least recently written dropped first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "parsers/log_record.h"
#include "rules/event.h"

namespace faultline {

class SuspectLog {
 public:
  struct Limits {
    size_t lines_per_instance = 4;
    size_t instances = 10'000;
    std::chrono::nanoseconds window = std::chrono::minutes(10);  // how far back a crash looks
  };

  explicit SuspectLog(Limits limits) : limits_(limits) {}

  // Keeps `record` if it is a suspect (see above). Call only for records no rule matched.
  void note(const LogRecord& record);
  // Keeps `record`, already known to be a suspect (is_suspect, told apart
  // beforehand on another thread).
  void keep(const LogRecord& record);
  // The crash's instance's suspects from `window` before it up to its time, oldest first.
  std::vector<SuspectLine> before(const Event& crash) const;

  size_t instances() const { return by_instance_.size(); }

 private:
  // The instance is the map's key: a line keeps only its time and text.
  struct Kept {
    Timestamp time{};
    std::string line;
  };
  struct Lines {
    std::vector<Kept> lines;  // by time, at most lines_per_instance
    uint64_t touched = 0;
  };
  void evict();

  Limits limits_;
  std::unordered_map<std::string, Lines> by_instance_;
  uint64_t clock_ = 0;
};

// Whether a record reads as an error (SuspectLog's test), and the line that says it.
bool is_suspect(const LogRecord& record);
std::string suspect_line(const LogRecord& record);

}  // namespace faultline
