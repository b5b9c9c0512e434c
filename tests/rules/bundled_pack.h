// The rule packs shipped in rules/packs, loaded once per test binary; a load
// problem is printed, and a pack that does not load fails the test asking for it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "rules/rule_set.h"

namespace faultline {

inline const std::string kBundledPacks = std::string(FAULTLINE_SOURCE_DIR) + "/rules/packs";

inline std::shared_ptr<const RuleSet> bundled_pack() {
  static const std::shared_ptr<const RuleSet> pack = [] {
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load(kBundledPacks, problems);
    for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
    return set;
  }();
  REQUIRE(pack != nullptr);
  return pack;
}

}  // namespace faultline
