// `faultline scan`: replay log files through the pipeline and print incidents.
#pragma once

#include <string>
#include <vector>

namespace faultline {

// Exit codes: 0 no incident is open, 1 incidents are open (scripts gate on it),
// 2 usage or input error (after printing what the good records gave).
int run_scan(const std::vector<std::string>& args);

}  // namespace faultline
