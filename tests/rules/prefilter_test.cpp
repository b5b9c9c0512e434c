// The literal prefilter must never reject a text that some pattern matches.
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <re2/re2.h>

#include "rules/prefilter.h"
#include "rules/rule_loader.h"

namespace faultline {
namespace {

std::unique_ptr<const Prefilter> build(const std::vector<std::string>& patterns) {
  return Prefilter::build(patterns, rule_regex_options(8 << 20));
}

TEST_SUITE("prefilter") {
  TEST_CASE("texts with a necessary literal pass, in any case, others do not") {
    auto prefilter = build({"(?i)no space left on device", "Container called exit\\((?P<code>\\d+)\\)\\.",
                            "(?:ModuleNotFoundError: No module named '|Could not import module \")(?P<m>[^'\"]+)"});
    REQUIRE(prefilter != nullptr);
    CHECK(prefilter->may_match("OSError: [Errno 28] NO SPACE LEFT ON DEVICE"));
    CHECK(prefilter->may_match("Container called exit(3)."));
    CHECK(prefilter->may_match("container CALLED exit("));  // a superset: the set decides
    CHECK(prefilter->may_match("x Could not import module \"main\""));
    CHECK_FALSE(prefilter->may_match("Container exited"));
    CHECK_FALSE(prefilter->may_match(""));
    CHECK_FALSE(prefilter->may_match("abc"));
    // Atoms drop the short, common literals: "container called exit(" stays, "(" does not.
    for (const std::string& atom : prefilter->atoms()) CHECK(atom.size() >= 7);
  }

  TEST_CASE("an atom is found at every offset, whatever the probe stride") {
    for (const char* pattern : {"abcdefghij", "ab+cdef", "wxyz"}) {
      CAPTURE(pattern);
      auto prefilter = build({pattern});
      REQUIRE(prefilter != nullptr);
      const RE2 regex(pattern, rule_regex_options(8 << 20));
      std::string literal = std::string(pattern) == "ab+cdef" ? "abbbcdef" : pattern;
      for (size_t before = 0; before < 12; ++before) {
        for (size_t after = 0; after < 6; ++after) {
          const std::string text = std::string(before, '.') + literal + std::string(after, '.');
          REQUIRE(RE2::PartialMatch(text, regex));
          CHECK_MESSAGE(prefilter->may_match(text), text);
        }
      }
    }
  }

  TEST_CASE("no prefilter when a pattern has no usable literal") {
    CHECK(build({"Container called exit", "^[A-Z]+ \\d{3}$"}) == nullptr);
    CHECK(build({"abc"}) == nullptr);      // shorter than a window
    CHECK(build({"Ärger"}) == nullptr);    // ASCII case folding cannot compare it
    auto none = build({});
    REQUIRE(none != nullptr);
    CHECK_FALSE(none->may_match("anything at all"));
  }
}

}  // namespace
}  // namespace faultline
