#include "rules/event.h"

namespace faultline {

const std::string& Event::capture(std::string_view name) const {
  static const std::string empty;
  for (const auto& [key, value] : captures)
    if (key == name) return value;
  return empty;
}

}  // namespace faultline
