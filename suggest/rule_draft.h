// Drafting a rule for a crash no rule explains (`faultline rules suggest`,
// GET /api/v1/incidents/{id}/suggested-rule, the web page's "suggest a rule").
//
// The incident's suspect lines (what its instances printed last before each
// crash, incidents/suspect_lines.h) are mined into templates
// (suggest/template_miner.h); the template seen on the most instances, then
// before the most crashes, becomes a `kind: cause` rule: its constant tokens
// quoted for RE2, its variable parts named captures typed by what they held
// (`(?P<shard>[-+]?\d+(?:\.\d+)?)` after the word "shard", `(?P<path>…)`,
// `'(?P<quoted>[^']*)'`, …), a summary that uses them, an honest hint,
// `examples.match` from the real lines and `examples.no_match` from lines of
// the same service that did not precede a crash (incidents/service_lines.h).
// Before it is returned, the draft is loaded as the daemon loads a pack, which
// checks every example; a draft that does not load is an error saying why,
// never a broken rule.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "incidents/incident.h"
#include "rules/event.h"
#include "rules/rule.h"

namespace faultline {

struct DraftSource {
  std::string incident_id;  // named in the draft's comment; may be empty
  std::string service;
  Severity severity = Severity::critical;
  std::vector<SuspectLine> suspects;
  std::vector<std::string> service_lines;  // the service's lines that did not precede a crash
};

struct RuleDraft {
  std::string error;    // why there is no draft; empty when there is one
  std::string yaml;     // a rule pack holding the one rule, ready to add
  std::string rule_id;
  std::string pattern;
  std::string template_text;  // the mined template, "FATAL: shard <number> …"
  size_t lines = 0;      // distinct suspect lines the template covers
  size_t crashes = 0;    // crashes those lines preceded
  size_t instances = 0;  // instances that printed them
  size_t instances_total = 0;  // instances among all the suspect lines
  bool ok() const { return error.empty(); }
};

RuleDraft draft_rule(const DraftSource& source);

// From an incident: an error for one whose cause is known or that kept no suspect lines.
RuleDraft draft_rule(const Incident& incident, std::vector<std::string> service_lines);

}  // namespace faultline
