// The failure scenarios (tests/corpus/failures, with the deploys across
// revisions), end to end through the pipeline
// that scan and the daemon share: every scenario gives exactly its expected
// incidents, in file order and shuffled, and the noise logs open none.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "incidents/pipeline.h"
#include "parsers/parse.h"
#include "rules/rule_set.h"
#include "incidents/incident_expectation.h"
#include "tests/support/files.h"

namespace fs = std::filesystem;
using namespace faultline;

using faultline::testing::read_file;

namespace {

std::shared_ptr<const RuleSet> default_rules() {
  static std::shared_ptr<const RuleSet> rules = [] {
    std::vector<RuleProblem> problems;
    auto loaded = RuleSet::load(std::string(FAULTLINE_SOURCE_DIR) + "/rules/packs", problems);
    for (const auto& p : problems) MESSAGE(p.describe());
    return loaded;
  }();
  return rules;
}

Timestamp fixed_wall_clock() { return Timestamp{std::chrono::seconds(1'800'000'000)}; }

nlohmann::json run(std::vector<LogRecord> records, size_t batch_size) {
  Pipeline pipeline(default_rules(), PipelineConfig{}, fixed_wall_clock);
  for (size_t i = 0; i < records.size(); i += batch_size) {
    size_t end = std::min(records.size(), i + batch_size);
    pipeline.ingest(std::vector<LogRecord>(records.begin() + i, records.begin() + end));
  }
  pipeline.finish();
  nlohmann::json out = nlohmann::json::array();
  for (const Incident& incident : pipeline.incidents()) out.push_back(to_json(incident));
  return out;
}

std::vector<fs::path> scenarios() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(std::string(FAULTLINE_CORPUS) + "/failures"))
    if (entry.path().extension() == ".ndjson") files.push_back(entry.path());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return files;
}

std::vector<LogRecord> parse_file(const fs::path& file, InputFormat format) {
  ParseResult parsed = parse_input(read_file(file.string()), format, ParseOptions{});
  for (const auto& e : parsed.errors) FAIL_CHECK(file.filename().string() << ": " << e.describe());
  return parsed.records;
}

}  // namespace

TEST_CASE("every failure scenario opens exactly its expected incidents") {
  REQUIRE(default_rules());
  auto files = scenarios();
  REQUIRE(files.size() >= 15);
  for (const fs::path& file : files) {
    CAPTURE(file.filename().string());
    auto expected = nlohmann::json::parse(read_file(file.string().substr(0, file.string().size() - 7) + ".expected.json"));
    auto records = parse_file(file, InputFormat::logentry);
    CHECK(compare_incidents(expected["incidents"], run(records, records.size())) == "");
  }
}

TEST_CASE("arrival order does not change the incidents: shuffled, one record per request") {
  REQUIRE(default_rules());
  for (const fs::path& file : scenarios()) {
    CAPTURE(file.filename().string());
    auto expected = nlohmann::json::parse(read_file(file.string().substr(0, file.string().size() - 7) + ".expected.json"));
    auto records = parse_file(file, InputFormat::logentry);
    // Where the lifecycle depends on arrival order (a failure delivered before
    // the recovery that, in time order, had already resolved the incident), the
    // scenario says what must hold in any order.
    const nlohmann::json& want = expected.contains("incidents_any_order") ? expected["incidents_any_order"] : expected["incidents"];
    for (unsigned seed : {1u, 2u, 3u}) {
      CAPTURE(seed);
      std::mt19937 shuffle_rng(seed);
      std::shuffle(records.begin(), records.end(), shuffle_rng);
      CHECK(compare_incidents(want, run(records, 1)) == "");
    }
  }
}

TEST_CASE("every record delivered twice counts once") {
  REQUIRE(default_rules());
  for (const fs::path& file : scenarios()) {
    CAPTURE(file.filename().string());
    auto expected = nlohmann::json::parse(read_file(file.string().substr(0, file.string().size() - 7) + ".expected.json"));
    auto records = parse_file(file, InputFormat::logentry);
    auto twice = records;
    twice.insert(twice.end(), records.begin(), records.end());
    CHECK(compare_incidents(expected["incidents"], run(twice, 7)) == "");
  }
}

TEST_CASE("the seed cascade is one critical crash-loop incident naming the culprit frame") {
  REQUIRE(default_rules());
  auto records = parse_file(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson",
                            InputFormat::logentry);
  auto incidents = run(records, records.size());
  REQUIRE(incidents.size() == 1);
  const auto& incident = incidents[0];
  CHECK(incident["severity"] == "critical");
  CHECK(incident["crash_loop"] == true);
  CHECK(incident["exits"] == 3);
  CHECK(incident["root_cause"]["rule"] == "python_module_not_found");
  CHECK(incident["root_cause"]["module"] == "netra_backend.app.services.monitoring");
  CHECK(incident["root_cause"]["frame"]["file"] == "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py");
  CHECK(incident["root_cause"]["frame"]["line"] == 23);
  std::vector<std::string> chain;
  for (const auto& link : incident["chain"]) chain.push_back(link["rule"].get<std::string>() + ":" + link["kind"].get<std::string>());
  CAPTURE(incident["chain"].dump());
  CHECK(chain.front() == "python_module_not_found:cause");
  CHECK(std::count(chain.begin(), chain.end(), "middleware_setup_failed:effect") == 1);
  CHECK(std::count(chain.begin(), chain.end(), "container_exit:exit") == 1);
}

TEST_CASE("the seed's hint decides: own package, the importing file and the directory the image lacks") {
  REQUIRE(default_rules());
  auto records = parse_file(std::string(FAULTLINE_CORPUS) + "/failures/01_seed_netra_monitoring_cascade.ndjson",
                            InputFormat::logentry);
  // The exception line is logged alone before its traceback: the traceback's
  // frames decide the hint, in any arrival order.
  for (size_t batch : {records.size(), size_t{1}}) {
    CAPTURE(batch);
    auto incidents = run(records, batch);
    REQUIRE(incidents.size() == 1);
    const std::string hint = incidents[0]["hint"];
    CAPTURE(hint);
    CHECK(hint.find("own package") != std::string::npos);
    CHECK(hint.find("gcp_auth_context_middleware.py") != std::string::npos);
    CHECK(hint.find("`/app/netra_backend/app/services/monitoring/`") != std::string::npos);
    CHECK(hint.find("third-party") == std::string::npos);
  }
}

TEST_CASE("a bad deploy's hint names the line the healthy revision before it never printed, and only then") {
  REQUIRE(default_rules());
  const std::string dir = std::string(FAULTLINE_CORPUS) + "/failures/";
  auto bad = run(parse_file(dir + "13_bad_deploy_previous_revision_healthy.ndjson", InputFormat::logentry), 1);
  REQUIRE(bad.size() == 1);
  std::string hint = bad[0]["hint"];
  CAPTURE(hint);
  CHECK(hint.find("orders-api-00203-lux was healthy and never printed `ModuleNotFoundError: No module named "
                  "'orders.pricing.discounts'`: roll back with `gcloud run services update-traffic") != std::string::npos);
  // 00051 failed the same way before 00052: neither a rollback nor a new line.
  auto same = run(parse_file(dir + "14_previous_revision_failing_the_same_way.ndjson", InputFormat::logentry), 1);
  REQUIRE(same.size() == 1);
  hint = same[0]["hint"].get<std::string>();
  CHECK(same[0]["deploy"]["new_line"] == nullptr);
  CHECK(hint.find("never printed") == std::string::npos);
  CHECK(hint.find("roll back") == std::string::npos);
}

TEST_CASE("the noise corpus opens no incident") {
  REQUIRE(default_rules());
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(std::string(FAULTLINE_NOISE))) {
    if (entry.path().extension() != ".log") continue;
    ++files;
    CAPTURE(entry.path().filename().string());
    ParseOptions options;
    options.service = "noise";
    // noise-text.log is plain text; the others are NDJSON and Cloud Logging entries.
    const bool text = entry.path().filename() == "noise-text.log";
    ParseResult parsed = parse_input(read_file(entry.path().string()), text ? InputFormat::text : InputFormat::automatic,
                                     options);
    CHECK(parsed.errors.empty());
    CHECK(parsed.records.size() > 1000);
    CHECK(run(parsed.records, parsed.records.size()).dump() == "[]");
  }
  CHECK(files == 3);
}
