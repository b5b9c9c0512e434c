// `faultline rules check PATH` and `faultline rules test FILE...`.
#pragma once

#include <string>
#include <vector>

namespace faultline {

// Exit codes: 0 valid / all tests pass, 1 tests fail, 2 invalid rules or usage.
int run_rules(const std::vector<std::string>& args);

}  // namespace faultline
