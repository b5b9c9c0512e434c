// Exit codes and signals as bounded labels, and what they usually mean.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rules/event.h"

namespace faultline {

// The label an exit counts under in `exit_codes`: "0".."255" from a `code` capture
// (reduced modulo 256, as the kernel does), a signal name ("SIGKILL") from a
// `signal` capture given as a number or a name, "other" for anything else.
// nullopt when the event names neither (an OOM-kill line): such exits count in
// `exits` but not in `exit_codes`. The label set is bounded, so it is safe as a
// metric label.
std::optional<std::string> exit_label(const Event& event);

// A short meaning for a label ("application boot failure by convention"), or ""
// when nothing useful can be said.
std::string_view exit_meaning(std::string_view label);

// What to check for such an exit when no cause line was found, in words that
// keep the code's meaning (137 SIGKILL/memory, 139 segfault, 127 not found), with
// the commands for this service: kubectl when it runs in a namespace, gcloud else.
std::string exit_hint(std::string_view label, const std::string& service, const std::string& namespace_name);

}  // namespace faultline
