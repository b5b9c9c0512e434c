#include "server/label_cap.h"

namespace faultline {

std::string LabelCap::admit(const std::string& value, bool* folded) {
  std::lock_guard lock(mutex_);
  if (folded) *folded = false;
  if (admitted_.count(value)) return value;
  if (admitted_.size() < max_values_) {
    admitted_.insert(value);
    return value;
  }
  if (folded) *folded = true;
  return kOther;
}

size_t LabelCap::size() const {
  std::lock_guard lock(mutex_);
  return admitted_.size();
}

}  // namespace faultline
