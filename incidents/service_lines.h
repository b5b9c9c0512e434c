// ServiceLines: a small sample of the lines each service printed that no rule
// matched, so that a rule drafted from a crash's suspect lines can be shown
// not to match what the same service prints when it is not crashing (its
// `examples.no_match`, suggest/rule_draft.h).
//
// Bounded: `lines_per_service` slots per service, a line going to the slot its
// hash picks (so one chatty line cannot push every other one out, and the
// sample stays varied and recent), and a capped number of services, the least
// recently written dropped first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "parsers/log_record.h"

namespace faultline {

class ServiceLines {
 public:
  struct Limits {
    size_t lines_per_service = 8;
    size_t services = 1'000;
  };

  explicit ServiceLines(Limits limits) : limits_(limits) {}

  // Keeps the record's first line (as SuspectLog quotes it). Call only for records no rule matched.
  void note(const LogRecord& record);
  // The sample of that service (scoped like an incident), in no particular order.
  std::vector<std::string> sample(const std::string& cluster, const std::string& namespace_name,
                                  const std::string& service) const;

  size_t services() const { return by_service_.size(); }

 private:
  struct Slots {
    std::vector<std::string> lines;  // lines_per_service slots, "" when empty
    uint64_t touched = 0;
  };
  void evict();

  Limits limits_;
  std::unordered_map<std::string, Slots> by_service_;
  uint64_t clock_ = 0;
};

}  // namespace faultline
