// The test corpus through every framing a user can send it in: the scenario
// NDJSON as written, as `gcloud logging read --format=json` writes it, as Pub/Sub
// push bodies; and the generated noise logs as plain text.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "codec/base64.h"
#include "parsers/parse.h"
#include "parsers/timestamp.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;
using test::check_same_record;
using test::corpus_files;
using test::ndjson_lines;
using test::parse;
using test::read_file;

const LogRecord* find_text(const ParseResult& result, std::string_view needle) {
  for (const auto& record : result.records)
    if (record.text.find(needle) != std::string::npos) return &record;
  return nullptr;
}

std::string envelope(const std::string& entry, int message_id) {
  nlohmann::json body = {
      {"message",
       {{"data", base64_encode(entry)},
        {"attributes", {{"logging.googleapis.com/timestamp", "2025-09-16T00:42:33.8193Z"}}},
        {"messageId", std::to_string(message_id)},
        {"message_id", std::to_string(message_id)},
        {"publishTime", "2025-09-16T00:43:00.000Z"}}},
      {"subscription", "projects/netra-staging/subscriptions/faultline-push"}};
  return body.dump();
}

TEST_CASE("every failure scenario parses as NDJSON with no errors and one record per line") {
  for (const auto& path : corpus_files("failures", ".ndjson")) {
    CAPTURE(path.filename().string());
    std::string body = read_file(path);
    size_t lines = ndjson_lines(body).size();
    for (InputFormat format :
         {InputFormat::automatic, InputFormat::logentry, InputFormat::ndjson}) {
      ParseResult result = parse(body, format);
      INFO(all_errors(result));
      CHECK(result.errors.empty());
      CHECK(result.records.size() == lines);
      CHECK(result.input_records == lines);
      for (const auto& record : result.records) {
        const bool cloud_run = record.resource_type == "cloud_run_revision";
        CHECK((cloud_run || record.resource_type == "k8s_container" || record.resource_type == "k8s_pod"));
        CHECK_FALSE(record.service.empty());
        if (cloud_run) CHECK_FALSE(record.revision.empty());
        CHECK_FALSE(record.source_id.empty());
        CHECK(record.time.time_since_epoch().count() > 0);
      }
    }
  }
}

TEST_CASE("seed scenario: Cloud Run names, streams, severities and texts") {
  std::string body = read_file(std::string(FAULTLINE_CORPUS) +
                               "/failures/01_seed_netra_monitoring_cascade.ndjson");
  ParseResult result = parse(body);
  REQUIRE(result.errors.empty());
  REQUIRE(result.records.size() == 54);

  SUBCASE("the first entry is a varlog/system textPayload") {
    const LogRecord& first = result.records[0];
    CHECK(first.service == "netra-backend-staging");
    CHECK(first.revision == "netra-backend-staging-00734-fvm");
    CHECK(first.instance.starts_with("0069c7a98866e2c29102fe0a21e65e18"));
    CHECK(first.stream == "system");
    CHECK(first.severity == "INFO");
    CHECK(first.text.starts_with("Starting new instance. Reason: MANUAL_OR_CUSTOMER_MIN_INSTANCE"));
    CHECK(first.time == *parse_rfc3339("2025-09-16T00:42:33.819300Z"));
    CHECK(first.source_id ==
          "68c8b2790c80641bf145616f|projects/netra-staging/logs/"
          "run.googleapis.com%2Fvarlog%2Fsystem");
    CHECK(first.namespace_name.empty());
    CHECK(first.http_status == 0);
  }
  SUBCASE("gunicorn on stderr") {
    const LogRecord& second = result.records[1];
    CHECK(second.stream == "stderr");
    CHECK(second.severity == "ERROR");
    CHECK(second.text == "[2025-09-16 00:42:34 +0000] [1] [INFO] Starting gunicorn 23.0.0");
  }
  SUBCASE("a jsonPayload entry gives its message") {
    const LogRecord* record = find_text(result, "CRITICAL: Enhanced middleware setup failed");
    REQUIRE(record != nullptr);
    CHECK(record->text ==
          "CRITICAL: Enhanced middleware setup failed: No module named "
          "'netra_backend.app.services.monitoring'");
    CHECK(record->stream == "stderr");
    CHECK(record->severity == "ERROR");
    CHECK(record->service == "netra-backend-staging");
  }
  SUBCASE("a stdout jsonPayload with nested objects still gives the top-level message") {
    const LogRecord* record = find_text(result, "SERVICE_ID contained whitespace");
    REQUIRE(record != nullptr);
    CHECK(record->stream == "stdout");
    CHECK(record->severity == "WARNING");
  }
  SUBCASE("the container exit is a system line") {
    const LogRecord* record = find_text(result, "Container called exit(3).");
    REQUIRE(record != nullptr);
    CHECK(record->stream == "system");
  }
}

TEST_CASE(
    "scenario 08: the audit log entry maps to the Cloud Run service and keeps status.message") {
  ParseResult result = parse(
      read_file(std::string(FAULTLINE_CORPUS) + "/failures/08_cloud_run_port_timeout.ndjson"));
  REQUIRE(result.errors.empty());
  const LogRecord* audit = nullptr;
  for (const auto& record : result.records)
    if (record.stream == "audit") audit = &record;
  REQUIRE(audit != nullptr);
  CHECK(audit->service == "storefront");
  CHECK(audit->revision == "storefront-00003-bex");
  CHECK(audit->severity == "ERROR");
  CHECK(audit->text.find("PORT=8080") != std::string::npos);
  CHECK(audit->text.find("Ready condition status changed to False") != std::string::npos);
  // Compact JSON, so a rule can match inside it and the record stays one line.
  CHECK(audit->text.front() == '{');
  CHECK(audit->text.find('\n') == std::string::npos);
}

TEST_CASE("scenario 06: request logs become '<method> <status> <url>' with http_status") {
  ParseResult result =
      parse(read_file(std::string(FAULTLINE_CORPUS) + "/failures/06_recovery_after_fix.ndjson"));
  REQUIRE(result.errors.empty());
  const LogRecord* request = find_text(result, "POST 200 ");
  REQUIRE(request != nullptr);
  CHECK(request->stream == "requests");
  CHECK(request->http_status == 200);
  CHECK(request->text.starts_with("POST 200 https://pdf-renderer-"));
  CHECK(request->text.ends_with("/render"));
  CHECK(request->revision == "pdf-renderer-00013-hiv");
  size_t requests = 0;
  for (const auto& record : result.records) {
    if (record.stream == "requests") {
      ++requests;
      CHECK(record.http_status >= 200);
    }
  }
  CHECK(requests > 0);
}

TEST_CASE("a scenario as a JSON array (gcloud --format=json) gives the same records as NDJSON") {
  for (const auto& path : corpus_files("failures", ".ndjson")) {
    CAPTURE(path.filename().string());
    std::string body = read_file(path);
    ParseResult want = parse(body);
    nlohmann::json array = nlohmann::json::array();
    for (const auto& line : ndjson_lines(body)) array.push_back(nlohmann::json::parse(line));
    for (int indent : {2, -1}) {
      CAPTURE(indent);
      ParseResult got = parse(array.dump(indent));
      INFO(all_errors(got));
      CHECK(got.errors.empty());
      REQUIRE(got.records.size() == want.records.size());
      for (size_t i = 0; i < want.records.size(); ++i)
        check_same_record(got.records[i], want.records[i]);
    }
  }
}

TEST_CASE("a scenario pushed through Pub/Sub, wrapped and unwrapped, gives the same records") {
  for (const auto& path : corpus_files("failures", ".ndjson")) {
    CAPTURE(path.filename().string());
    std::string body = read_file(path);
    ParseResult want = parse(body);
    std::vector<std::string> lines = ndjson_lines(body);
    REQUIRE(lines.size() == want.records.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(i);
      for (InputFormat format : {InputFormat::pubsub, InputFormat::automatic}) {
        ParseResult wrapped = parse(envelope(lines[i], 1000 + static_cast<int>(i)), format);
        INFO(all_errors(wrapped));
        REQUIRE(wrapped.records.size() == 1);
        check_same_record(wrapped.records[0], want.records[i]);
      }
      ParseResult unwrapped = parse(lines[i], InputFormat::pubsub);
      REQUIRE(unwrapped.records.size() == 1);
      check_same_record(unwrapped.records[0], want.records[i]);
    }
  }
}

TEST_CASE("noise logs as text: one record per line, line endings gone") {
  {
    const std::filesystem::path path = std::string(FAULTLINE_NOISE) + "/noise-text.log";
    std::string body = read_file(path);
    const size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
    REQUIRE(lines > 10000);
    ParseOptions options;
    options.service = "legacy";
    // Only a JSON record with error fields (structured.h) becomes a record of
    // several lines: its message, then the error and its stack.
    size_t json_with_errors = 0;
    for (std::string_view rest = body; !rest.empty();) {
      std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      if (!line.starts_with("{")) continue;
      for (std::string_view key : {"\"err\"", "\"error\"", "\"stack", "\"exception\"", "\"exc_info\""}) {
        if (line.find(key) != std::string_view::npos) {
          ++json_with_errors;
          break;
        }
      }
    }
    for (InputFormat format : {InputFormat::text, InputFormat::automatic}) {
      ParseResult result = parse(body, format, options);
      INFO(all_errors(result));
      CHECK(result.errors.empty());
      CHECK(result.records.size() == lines);
      size_t several_lines = 0;
      for (const auto& record : result.records) {
        CHECK(record.text.find('\r') == std::string::npos);
        if (record.text.find('\n') != std::string::npos) ++several_lines;
        // The default service, unless the line names its own (a JSON logger's record, an envelope).
        CHECK_FALSE(record.service.empty());
      }
      CHECK(several_lines > 0);
      CHECK(several_lines <= json_with_errors);
    }
  }
}

}  // namespace
}  // namespace faultline
