// Where the bundled rule pack is when no --rules is given.
#pragma once

#include <string>

namespace faultline {

// First that exists: $FAULTLINE_RULES, /usr/share/faultline/rules (the image and
// packages), the source tree's rules/packs (a build run in place), ./rules/packs.
// Returns the last candidate when none exists, so the error names a real path.
std::string default_rules_path();

}  // namespace faultline
