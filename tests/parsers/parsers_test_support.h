// Helpers shared by the parsers tests: corpus files and record comparison.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parse.h"

namespace faultline::test {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Sorted paths of `dir` (under the corpus) whose names end with `suffix`.
inline std::vector<std::filesystem::path> corpus_files(std::string_view dir,
                                                       std::string_view suffix) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(FAULTLINE_CORPUS) / dir)) {
    if (entry.path().filename().string().ends_with(suffix)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  return files;
}

// Non-blank lines of an NDJSON file.
inline std::vector<std::string> ndjson_lines(const std::string& body) {
  std::vector<std::string> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

inline ParseResult parse(std::string_view body, InputFormat format = InputFormat::automatic,
                         const ParseOptions& options = {}) {
  return parse_input(body, format, options);
}

inline void check_same_record(const LogRecord& got, const LogRecord& want) {
  CHECK(got.time == want.time);
  CHECK(got.service == want.service);
  CHECK(got.namespace_name == want.namespace_name);
  CHECK(got.cluster == want.cluster);
  CHECK(got.revision == want.revision);
  CHECK(got.instance == want.instance);
  CHECK(got.stream == want.stream);
  CHECK(got.severity == want.severity);
  CHECK(got.app_level == want.app_level);
  CHECK(got.resource_type == want.resource_type);
  CHECK(got.text == want.text);
  CHECK(got.source_id == want.source_id);
  CHECK(got.http_status == want.http_status);
}

inline std::string all_errors(const ParseResult& result) {
  std::string out;
  for (const auto& error : result.errors) out += error.describe() + "\n";
  return out;
}

}  // namespace faultline::test
