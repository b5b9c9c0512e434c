// ServiceLines: a small sample of the lines each service printed that no rule
// matched, so that a rule drafted from a crash's suspect lines can be shown
// not to match what the same service prints when it is not crashing (its
// `examples.no_match`, suggest/rule_draft.h).
//
// Bounded: `lines_per_service` slots per service, a line going to the slot its
// hash picks (so one chatty line cannot push every other one out, and the
// sample stays varied), and a capped number of services, the least recently
// written dropped first. Cheap on the ingest path: consecutive records of one
// service find it without a lookup, and once its slots are full only every
// `refresh_every`-th line is looked at.
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
    size_t refresh_every = 16;
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
    size_t filled = 0;
    uint64_t seen = 0;
    uint64_t touched = 0;
  };
  Slots& slots_of(const LogRecord& record);
  void evict();

  Limits limits_;
  std::unordered_map<std::string, Slots> by_service_;
  uint64_t clock_ = 0;
  // The service of the previous record (elements of an unordered_map stay put
  // until erased), so that a run of one service's records skips the lookup.
  std::string last_cluster_, last_namespace_, last_service_;
  Slots* last_ = nullptr;
};

}  // namespace faultline
