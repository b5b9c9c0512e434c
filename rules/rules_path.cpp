#include "rules/rules_path.h"

#include <cstdlib>
#include <filesystem>

namespace faultline {

std::string default_rules_path() {
  if (const char* env = std::getenv("FAULTLINE_RULES"); env && *env) return env;
  for (const char* candidate : {"/usr/share/faultline/rules", FAULTLINE_SOURCE_RULES}) {
    std::error_code ec;
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
  }
  return "rules/packs";
}

}  // namespace faultline
