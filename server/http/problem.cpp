#include "server/http/problem.h"

namespace faultline {

nlohmann::json Problem::to_json() const {
  nlohmann::json out = {{"type", "urn:faultline:problem:" + slug}, {"title", title}, {"status", status}};
  if (!detail.empty()) out["detail"] = detail;
  for (const auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

}  // namespace faultline
