// `faultline rules check PATH`, `rules list`, `rules test FILE...` and `rules suggest FILE...`.
#pragma once

#include <string>
#include <vector>

namespace faultline {

// Exit codes: 0 valid / all tests pass / a rule drafted, 1 tests fail / nothing
// drafted, 2 invalid rules, input or usage.
int run_rules(const std::vector<std::string>& args);

}  // namespace faultline
