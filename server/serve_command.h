// `faultline serve`: the HTTP daemon (ingest, incident API, /metrics).
#pragma once

#include <string>
#include <vector>

namespace faultline {

// `args` are the arguments after "serve". Prints its own --help.
// Runs until SIGTERM/SIGINT, then drains (bounded by timeouts.drain) and returns.
// Exit codes: 0 clean shutdown, 1 runtime failure (listen failed, drain had to be
// forced), 2 bad configuration, flags or rule pack (one message on stderr naming it).
int run_serve(const std::vector<std::string>& args);

}  // namespace faultline
