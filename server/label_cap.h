// LabelCap: bounds the distinct values a metric label taken from logs can have
// (service names come from whatever the logs say). The first `max_values`
// distinct values pass through; later new ones are folded into "_other", so the
// number of series stays bounded however many services write to the daemon.
// Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_set>

namespace faultline {

class LabelCap {
 public:
  static constexpr const char* kOther = "_other";
  explicit LabelCap(size_t max_values) : max_values_(max_values) {}

  // The value to use as the label; `folded` is set when it became "_other".
  std::string admit(const std::string& value, bool* folded = nullptr);
  size_t size() const;

 private:
  size_t max_values_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> admitted_;
};

}  // namespace faultline
