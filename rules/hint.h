// A rule's hint for one match: the rule's `context:` patterns searched over the
// whole record, its `lookup:` tables consulted, and the first of its `hints:`
// variants whose conditions hold rendered (else `hint:`). Kept apart from the
// matching itself: only a record that a rule matched pays for it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/rule.h"

namespace faultline {

using Captures = std::vector<std::pair<std::string, std::string>>;

// The record's fields that hints (and context patterns) may name besides the
// captures, so that a command names the service it is about; a capture of the
// same name wins. RuleSet::match adds their values.
inline constexpr const char* kRecordNames[] = {"service", "namespace", "revision"};

// The "{name}" references of a context pattern, in order. A brace pair holds a
// reference only when it encloses a name ([A-Za-z_][A-Za-z0-9_]*) and is not
// RE2's \p{Class}; repetitions like {3} or {2,5} are left alone.
std::vector<std::string> context_references(std::string_view pattern);

// `captures` (the pattern's) followed by those of the rule's context patterns
// and lookups found for this match in `text`, the whole record.
Captures hint_captures(const Rule& rule, std::string_view text, Captures captures);

// The hint for a match: the first `hints:` variant whose `when` names all have
// a non-empty value among hint_captures(), else the rule's `hint:`. `decided`
// (when given) tells whether a variant gave it.
std::string render_hint(const Rule& rule, std::string_view text, const Captures& captures,
                        bool* decided = nullptr);

}  // namespace faultline
