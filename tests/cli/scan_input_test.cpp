// `faultline scan` reads a JSON array export and a gzip file in pieces: what it
// finds — every record, every error with its element index and byte offset —
// is what parse_input finds in the whole input at once.
#include "server/cli/scan_input.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "parsers/gzip.h"

namespace fs = std::filesystem;

namespace faultline {
namespace {

struct Found {
  std::vector<std::string> texts;
  std::vector<RecordError> errors;
  size_t pieces = 0;
};

Found scan_whole(const std::string& body, InputFormat format) {
  ParseResult parsed = parse_input(body, format, {});
  Found found;
  for (const LogRecord& r : parsed.records) found.texts.push_back(r.text);
  found.errors = parsed.errors;
  found.pieces = 1;
  return found;
}

// As `faultline scan` reads a file: piece by piece, indexes and offsets moved to the file's.
Found scan_pieces(const std::string& content, InputFormat format) {
  const fs::path path = fs::temp_directory_path() / ("faultline-scan-input-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << content;
  Found found;
  ScanInput input;
  std::string error;
  REQUIRE(input.open(path.string(), format, error));
  size_t record_base = 0;
  std::string_view piece;
  while (input.next(piece, error)) {
    ++found.pieces;
    ParseOptions options;
    options.base_index = record_base;
    options.base_offset = input.piece_offset();
    ParseResult parsed = parse_input(piece, format, options);
    for (const RecordError& e : parsed.errors) found.errors.push_back(e);
    record_base += parsed.input_records;
    for (const LogRecord& r : parsed.records) found.texts.push_back(r.text);
  }
  CHECK(error == "");
  fs::remove(path);
  return found;
}

// A pretty-printed gcloud export of `n` LogEntries, with bad elements among them.
std::string gcloud_array(size_t n) {
  std::string out = "[\n";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ",\n";
    if (i == n / 3) {
      out += "  {\"textPayload\": \"broken\", oops}";  // a syntax error: this element only
    } else if (i == n / 2) {
      out += "  42";  // not a LogEntry
    } else {
      nlohmann::json entry = {
          {"insertId", "id-" + std::to_string(i)},
          {"logName", "projects/p/logs/run.googleapis.com%2Fstderr"},
          {"resource", {{"type", "cloud_run_revision"}, {"labels", {{"service_name", "api"}}}}},
          {"textPayload", "line " + std::to_string(i) + " with \"quotes\", [brackets], {braces} and \\ ]"},
          {"timestamp", "2026-12-01T10:00:00Z"}};
      std::string element = entry.dump(2);
      for (size_t at = 0; (at = element.find('\n', at)) != std::string::npos; at += 3) element.replace(at, 1, "\n  ");
      out += "  " + element;
    }
  }
  return out + "\n]\n";
}

void check_same(const Found& pieces, const Found& whole) {
  CHECK(pieces.texts == whole.texts);
  REQUIRE(pieces.errors.size() == whole.errors.size());
  for (size_t i = 0; i < whole.errors.size(); ++i) {
    CAPTURE(whole.errors[i].describe());
    CHECK(pieces.errors[i].index == whole.errors[i].index);
    CHECK(pieces.errors[i].offset == whole.errors[i].offset);
    CHECK(pieces.errors[i].field == whole.errors[i].field);
    CHECK(pieces.errors[i].message == whole.errors[i].message);
  }
}

TEST_CASE("a JSON array export is read a run of elements at a time, finding what a whole read finds") {
  const std::string body = gcloud_array(20000);  // about 6 MiB
  for (InputFormat format : {InputFormat::automatic, InputFormat::logentry, InputFormat::ndjson}) {
    const Found whole = scan_whole(body, format);
    REQUIRE(whole.texts.size() == 19998);
    REQUIRE(whole.errors.size() == 2);
    CHECK(whole.errors[0].index == 20000 / 3);
    CHECK(whole.errors[1].index == 10000);
    const Found pieces = scan_pieces(body, format);
    CHECK(pieces.pieces > 4);
    check_same(pieces, whole);
  }
}

TEST_CASE("a gzip file is decompressed as it is read, an array in it cut into pieces all the same") {
  const std::string body = gcloud_array(20000);
  const Found pieces = scan_pieces(gzip_compress(body), InputFormat::automatic);
  CHECK(pieces.pieces > 4);
  check_same(pieces, scan_whole(body, InputFormat::automatic));

  std::string lines;
  for (int i = 0; i < 50000; ++i) lines += "plain text line " + std::to_string(i) + " of a service that logs a lot\n";
  const Found text = scan_pieces(gzip_compress(lines), InputFormat::automatic);
  CHECK(text.pieces > 1);
  check_same(text, scan_whole(lines, InputFormat::automatic));
}

TEST_CASE("an array that never closes, or with data after it, is reported where the whole read reports it") {
  const std::string body = gcloud_array(8000);
  const std::string unclosed = body.substr(0, body.rfind(']'));
  const std::string trailing = body + "  {\"extra\": 1}\n";
  for (const std::string& bad : {unclosed, trailing}) {
    const Found whole = scan_whole(bad, InputFormat::automatic);
    const Found pieces = scan_pieces(bad, InputFormat::automatic);
    CHECK(pieces.pieces > 1);
    check_same(pieces, whole);
    REQUIRE(whole.errors.size() == 3);
    CHECK(pieces.errors.back().message == whole.errors.back().message);
  }
}

TEST_CASE("a corrupt gzip file is an error naming the byte, after the good part was read") {
  const std::string compressed = gzip_compress(gcloud_array(8000));
  const std::string truncated = compressed.substr(0, compressed.size() / 2);
  const fs::path path = fs::temp_directory_path() / ("faultline-scan-input-gz-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << truncated;
  ScanInput input;
  std::string error;
  REQUIRE(input.open(path.string(), InputFormat::automatic, error));
  std::string_view piece;
  size_t records = 0;
  while (input.next(piece, error)) records += parse_input(piece, InputFormat::automatic, {}).records.size();
  CHECK(records > 0);
  CHECK(error == path.string() + ": truncated gzip data: the stream ends at byte " +
                     std::to_string(truncated.size()) + " before its end marker");
  fs::remove(path);
}

}  // namespace
}  // namespace faultline
