// Reading test inputs.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace faultline::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace faultline::testing
