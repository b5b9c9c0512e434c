// The default pack (rules/packs) against the corpus: the ids and captures the
// correlator relies on, the seed cascade, every scenario's root cause, and
// silence on noise and on a healthy start.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "rules/rule_set.h"
#include "bundled_pack.h"
#include "scenario_records.h"

namespace faultline {
namespace {

std::vector<Event> match_text(const std::string& text) {
  LogRecord record;
  record.text = text;
  std::vector<Event> events;
  CHECK(bundled_pack()->match(record, events));
  return events;
}

bool has_capture(const Rule& rule, const std::string& name) {
  return std::find(rule.capture_names.begin(), rule.capture_names.end(), name) != rule.capture_names.end();
}

// The correlator's primary capture: the first present of module, class, library, port, code.
std::string primary_capture(const Event& event) {
  for (const char* name : {"module", "class", "library", "port", "code"})
    if (!event.capture(name).empty()) return event.capture(name);
  return "";
}

TEST_SUITE("default pack") {
  TEST_CASE("loads with no problems, at least 30 rules, a working RE2::Set") {
    auto pack = bundled_pack();
    CHECK(pack->rules().size() >= 30);
    CHECK_FALSE(pack->degraded());
    std::set<RuleKind> kinds;
    for (const Rule& rule : pack->rules()) {
      kinds.insert(rule.kind);
      CHECK_MESSAGE(!rule.examples_match.empty(), rule.id);
      CHECK_MESSAGE(!rule.hint.empty(), rule.id);
    }
    CHECK(kinds.size() == 5);
  }

  TEST_CASE("the ids the correlator and the scenarios rely on, with their kinds and captures") {
    struct Expected {
      const char* id;
      RuleKind kind;
      std::vector<std::string> captures;
      bool terminates = false;
    };
    const std::vector<Expected> expected = {
        {"python_module_not_found", RuleKind::cause, {"module"}},
        {"python_import_name", RuleKind::cause, {"name", "module"}},
        {"node_module_not_found", RuleKind::cause, {"module"}},
        {"java_class_not_found", RuleKind::cause, {"class"}},
        {"go_panic", RuleKind::cause, {"message"}},
        {"shared_library_missing", RuleKind::cause, {"library"}},
        {"uvicorn_app_not_found", RuleKind::cause, {"module", "attribute"}},
        {"django_improperly_configured", RuleKind::cause, {"message", "setting"}},
        {"django_app_registry_not_ready", RuleKind::cause, {"message"}},
        {"celery_app_load_failed", RuleKind::cause, {"module"}},
        {"bun_module_not_found", RuleKind::cause, {"module"}},
        {"deno_module_not_found", RuleKind::cause, {"module"}},
        {"java_exception_in_main", RuleKind::cause, {"class"}},
        {"spring_application_failed", RuleKind::cause, {"class", "reason"}},
        {"rust_panic", RuleKind::cause, {"thread", "location", "message"}},
        {"ruby_gem_not_found", RuleKind::cause, {"module"}},
        {"ruby_load_error", RuleKind::cause, {"module"}},
        {"php_class_not_found", RuleKind::cause, {"class"}},
        {"php_fatal_error", RuleKind::cause, {"message", "module"}},
        {"dotnet_assembly_load_failed", RuleKind::cause, {"library"}},
        {"dotnet_entry_dll_missing", RuleKind::cause, {"library"}},
        {"dotnet_unhandled_exception", RuleKind::cause, {"class"}},
        {"elixir_start_failure", RuleKind::cause, {"application"}},
        {"erlang_kernel_pid_terminated", RuleKind::cause, {"application"}},
        {"perl_module_missing", RuleKind::cause, {"module"}},
        {"bash_unbound_variable", RuleKind::cause, {"variable"}},
        {"container_port_timeout", RuleKind::cause, {"port"}},
        {"oom_killed", RuleKind::cause, {"limit_mib", "used_mib", "process", "pod"}, true},
        {"middleware_setup_failed", RuleKind::effect, {"module"}},
        {"gunicorn_worker_boot_failed", RuleKind::cause, {}},
        {"gunicorn_worker_exited", RuleKind::effect, {"code"}},
        {"gunicorn_exception_in_worker", RuleKind::effect, {}},
        {"cloud_run_request_failed", RuleKind::effect, {}},
        {"cloud_run_ready_condition_false", RuleKind::effect, {}},
        {"container_exit", RuleKind::exit, {"code"}},
        {"container_terminated_signal", RuleKind::exit, {"signal"}},
        {"k8s_crashloop_backoff", RuleKind::loop, {}},
        {"k8s_crashloopbackoff_status", RuleKind::loop, {}},
        {"k8s_startup_probe_failed", RuleKind::cause, {"container"}, true},
        {"k8s_container_terminated", RuleKind::exit, {"code"}},
        {"compose_container_exited", RuleKind::exit, {"container", "code"}},
        {"supervisord_process_exited", RuleKind::exit, {"program", "code", "signal"}},
        {"supervisor_fatal", RuleKind::cause, {"program"}},
        {"systemd_process_exited", RuleKind::exit, {"unit", "code", "signal"}},
        {"npm_script_failed", RuleKind::exit, {"code"}},
        {"yarn_command_failed", RuleKind::exit, {"code"}},
        {"dependency_unreachable", RuleKind::cause, {"address"}},
        {"dependency_refused", RuleKind::effect, {"address"}},
        {"dns_failure", RuleKind::cause, {"host"}},
        {"address_in_use", RuleKind::cause, {"address", "listen_port", "endpoint"}},
        {"server_config_error", RuleKind::cause, {"server"}, true},
        {"stale_pid_file", RuleKind::cause, {"path"}, true},
        {"permission_denied", RuleKind::cause, {"path", "data_dir"}},
        {"tls_certificate_missing", RuleKind::cause, {"path"}, true},
        {"data_dir_version_mismatch", RuleKind::cause, {}, true},
        {"elasticsearch_bootstrap_check_failed", RuleKind::cause, {"setting"}, true},
        {"cloud_run_startup_probe_succeeded", RuleKind::recovery, {}},
        {"uvicorn_startup_complete", RuleKind::recovery, {}},
        {"cloud_run_request_ok", RuleKind::recovery, {}},
    };
    auto pack = bundled_pack();
    for (const Expected& e : expected) {
      CAPTURE(e.id);
      const Rule* rule = pack->find(e.id);
      REQUIRE(rule != nullptr);
      CHECK(rule->kind == e.kind);
      CHECK(rule->terminates == e.terminates);
      for (const std::string& capture : e.captures) CHECK_MESSAGE(has_capture(*rule, capture), capture);
    }
    // The catch-alls and after-the-fact reports, which give way to a precise cause.
    std::set<std::string> fallbacks;
    for (const Rule& rule : pack->rules())
      if (rule.fallback) fallbacks.insert(rule.id);
    CHECK(fallbacks == std::set<std::string>{"django_improperly_configured", "dotnet_unhandled_exception",
                                             "elixir_start_failure", "erlang_kernel_pid_terminated", "go_panic",
                                             "gunicorn_worker_boot_failed",
                                             "java_exception_in_main", "k8s_liveness_probe_failed",
                                             "k8s_startup_probe_failed", "php_fatal_error", "rust_panic",
                                             "spring_application_failed", "supervisor_fatal"});
    // A cause ends the instance by itself only when its line always means that: an OOM kill, a
    // startup-probe kill, a server refusing to start. Every other exit is a platform's exit line.
    const std::set<std::string> terminating = {"oom_killed",
                                               "k8s_startup_probe_failed",
                                               "server_config_error",
                                               "stale_pid_file",
                                               "tls_certificate_missing",
                                               "data_dir_version_mismatch",
                                               "elasticsearch_bootstrap_check_failed"};
    for (const Rule& rule : pack->rules())
      if (rule.terminates) CHECK_MESSAGE(terminating.count(rule.id) == 1, rule.id);
  }

  TEST_CASE("the seed cascade: cause, effect and exit lines fire, gunicorn [INFO] lines do not") {
    const std::string module = "netra_backend.app.services.monitoring";
    int causes = 0, effects = 0, exits = 0;
    for (const LogRecord& record : test::scenario_records("01_seed_netra_monitoring_cascade.ndjson")) {
      CAPTURE(record.text);
      std::vector<Event> events;
      REQUIRE(bundled_pack()->match(record, events));
      auto fired = [&](const std::string& id) {
        return std::find_if(events.begin(), events.end(), [&](const Event& e) { return e.rule_id == id; });
      };
      if (record.text.find("ModuleNotFoundError: No module named") != std::string::npos) {
        auto event = fired("python_module_not_found");
        REQUIRE(event != events.end());
        CHECK(event->capture("module") == module);
        CHECK(event->capture("package") == "netra_backend");
        CHECK(event->summary == "Python module " + module + " cannot be imported");
        CHECK(event->sample.find("\n") == std::string::npos);
        CHECK(event->sample.find("ModuleNotFoundError: No module named") != std::string::npos);
        ++causes;
      }
      if (record.text.find("RuntimeError: Failed to setup") != std::string::npos ||
          record.text.find("Enhanced middleware setup failed") != std::string::npos) {
        auto event = fired("middleware_setup_failed");
        REQUIRE(event != events.end());
        CHECK(event->capture("module") == module);
        ++effects;
      }
      if (record.text == "Container called exit(3).") {
        REQUIRE(events.size() == 1);
        CHECK(events[0].rule_id == "container_exit");
        CHECK(events[0].capture("code") == "3");
        CHECK(events[0].is_exit());
        CHECK(events[0].service == "netra-backend-staging");
        CHECK(events[0].revision == "netra-backend-staging-00734-fvm");
        ++exits;
      }
      if (record.text.find("[INFO]") != std::string::npos) CHECK(events.empty());
      if (record.text.find("Reason: Worker failed to boot.") != std::string::npos)
        CHECK(fired("gunicorn_worker_boot_failed") != events.end());
      if (record.text.find("exited with code 3") != std::string::npos) {
        REQUIRE(fired("gunicorn_worker_exited") != events.end());
        CHECK_FALSE(fired("gunicorn_worker_exited")->is_exit());
      }
      // A cause always sorts before the effects found in the same record.
      for (size_t i = 1; i < events.size(); ++i) CHECK(events[i - 1].kind <= events[i].kind);
    }
    CHECK(causes == 9);  // 2 tracebacks + the "failure details" line, on each of 3 instances
    CHECK(effects == 6);
    CHECK(exits == 3);
  }

  TEST_CASE("each scenario's root causes, captures and exit counts match expected.json") {
    for (const auto& entry : std::filesystem::directory_iterator(test::corpus_path("failures"))) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".ndjson") continue;
      CAPTURE(name);
      std::string stem = name.substr(0, name.size() - std::string(".ndjson").size());
      std::ifstream in(test::corpus_path("failures/" + stem + ".expected.json"));
      REQUIRE(in);
      const nlohmann::json expected = nlohmann::json::parse(in);

      // (service, root cause rule, primary capture) -> the cause events seen.
      std::map<std::tuple<std::string, std::string, std::string>, std::vector<Event>> causes;
      std::map<std::string, std::set<std::string>> exit_records;  // service -> deduplicated source ids
      std::map<std::string, std::set<std::string>> recovered_revisions;
      for (const LogRecord& record : test::scenario_records(name)) {
        std::vector<Event> events;
        REQUIRE(bundled_pack()->match(record, events));
        for (const Event& event : events) {
          // A fallback cause (gunicorn's "Worker failed to boot") stands in only where no
          // rule knows the cause, and reports the end of a run the platform's line also shows.
          if (event.fallback) continue;
          if (event.kind == RuleKind::cause)
            causes[{event.service, event.rule_id, primary_capture(event)}].push_back(event);
          if (event.is_exit()) exit_records[event.service].insert(event.source_id);
          if (event.kind == RuleKind::recovery) recovered_revisions[event.service].insert(event.revision);
        }
      }

      std::set<std::tuple<std::string, std::string, std::string>> wanted;
      for (const nlohmann::json& incident : expected["incidents"]) {
        std::string primary;
        for (const char* field : {"module", "class", "library", "port"}) {
          if (!incident.contains(field) || incident[field].is_null()) continue;
          primary = incident[field].is_string() ? incident[field].get<std::string>() : incident[field].dump();
          break;
        }
        const std::string service = incident["service"];
        // No rule knows the cause of a generic_exit incident: nothing to match here.
        if (incident["root_cause"] == "generic_exit") continue;
        const std::tuple<std::string, std::string, std::string> key{service, incident["root_cause"], primary};
        wanted.insert(key);
        REQUIRE_MESSAGE(causes.count(key), "no cause event for " << incident.dump());
        if (incident.contains("name")) CHECK(causes[key].front().capture("name") == incident["name"]);
        // On Cloud Run every exit is a line of its own; on GKE (incidents with a
        // namespace) the correlator counts each run's fatal error instead.
        if (incident.contains("exits") && !incident.contains("namespace"))
          CHECK(exit_records[service].size() == incident["exits"].get<size_t>());
        if (incident.contains("resolved_by_revision"))
          CHECK(recovered_revisions[service].count(incident["resolved_by_revision"]) == 1);
      }
      // No other cause fires: one root cause per expected incident, nothing more.
      // Not a structured binding: clang before 16 cannot capture one in CHECK_MESSAGE's lambda.
      for (const auto& cause : causes) {
        const auto& key = cause.first;
        CHECK_MESSAGE(wanted.count(key), "unexpected cause " << std::get<1>(key) << " (" << std::get<2>(key)
                                                              << ") on: " << cause.second.front().sample);
      }
    }
  }

  TEST_CASE("the README's evidence lines fire the named rule with the capture") {
    struct Evidence {
      const char* text;
      const char* rule;
      const char* capture;
      const char* value;
    };
    const std::vector<Evidence> evidence = {
        {"ModuleNotFoundError: No module named 'x.y'", "python_module_not_found", "module", "x.y"},
        {"ERROR:    Error loading ASGI app. Could not import module \"x\".", "uvicorn_app_not_found", "module", "x"},
        {"ImportError: cannot import name 'n' from 'x.y' (/usr/lib/python3/x/y.py)", "python_import_name", "name", "n"},
        {"ImportError: cannot import name 'n' from 'x.y' (/usr/lib/python3/x/y.py)", "python_import_name", "module", "x.y"},
        {"ImportError: cannot import name 'n' from partially initialized module 'x.y' (most likely due to a circular import) (/app/x/y.py)",
         "python_import_name", "module", "x.y"},
        {"Error: Cannot find module 'x'", "node_module_not_found", "module", "x"},
        {"Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'x' imported from /app/index.js", "node_module_not_found", "module", "x"},
        {"java.lang.ClassNotFoundException: a.b.C", "java_class_not_found", "class", "a.b.C"},
        {"Error: Could not find or load main class a.b.C", "java_class_not_found", "class", "a.b.C"},
        {"java.lang.NoClassDefFoundError: a/b/C", "java_class_not_found", "class", "a.b.C"},
        {"error while loading shared libraries: libX.so.N: cannot open shared object file", "shared_library_missing", "library", "libX.so.N"},
        {"ImportError: libX.so.N: cannot open shared object file: No such file or directory", "shared_library_missing", "library", "libX.so.N"},
        {"Default STARTUP TCP probe failed 1 time consecutively for container \"web-1\" on port 8080. The instance was not started.",
         "container_port_timeout", "port", "8080"},
        {"Ready condition status changed to False for Revision web-00001-abc with message: The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.",
         "container_port_timeout", "port", "8080"},
        {"Memory limit of 512 MiB exceeded with 516 MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits",
         "oom_killed", "limit_mib", "512"},
        {"Memory cgroup out of memory: Killed process 4242 (node) total-vm:2097152kB", "oom_killed", "process", "node"},
        {"Memory cgroup out of memory: Kill process 4242 (node) score 1000 or sacrifice child", "oom_killed", "process", "node"},
        {"      Reason:       OOMKilled", "oom_killed", "detail", "Reason:       OOMKilled"},
        {"Container web failed startup probe, will be restarted", "k8s_startup_probe_failed", "container", "web"},
        {"web-1 exited with code 3", "compose_container_exited", "code", "3"},
        {"2016-09-04 19:12:10,757 INFO exited: web (exit status 127; not expected)", "supervisord_process_exited", "code", "127"},
        {"2016-09-04 19:12:16,252 INFO gave up: web entered FATAL state, too many start retries too quickly", "supervisor_fatal", "program", "web"},
        {"web.service: Main process exited, code=exited, status=1/FAILURE", "systemd_process_exited", "code", "1"},
        {"level=fatal msg=\"dial tcp 10.0.0.5:5432: connect: connection refused\"", "dependency_unreachable", "address",
         "10.0.0.5:5432"},
        {"nginx: [emerg] host not found in upstream \"web\" in /etc/nginx/conf.d/default.conf:16", "dns_failure", "host", "web"},
        {"Error: listen EADDRINUSE: address already in use :::3000", "address_in_use", "endpoint", "3000"},
        {"Container called exit(3).", "container_exit", "code", "3"},
        {"panic: runtime error: invalid memory address or nil pointer dereference", "go_panic", "message",
         "runtime error: invalid memory address or nil pointer dereference"},
    };
    for (const Evidence& e : evidence) {
      CAPTURE(e.text);
      const std::vector<Event> events = match_text(e.text);
      auto event = std::find_if(events.begin(), events.end(), [&](const Event& ev) { return ev.rule_id == e.rule; });
      REQUIRE_MESSAGE(event != events.end(), "expected " << e.rule);
      CHECK(event->capture(e.capture) == e.value);
      CHECK(events.size() == 1);  // one line, one verdict: no overlapping rules
    }
  }

  TEST_CASE("no failure rule fires on the noise corpus") {
    size_t lines = 0, recoveries = 0;
    for (const std::string& line : test::text_lines(std::string(FAULTLINE_NOISE) + "/noise-text.log")) {
      ++lines;
      for (const Event& event : match_text(line)) {
        // Healthy services start and serve: recovery rules may fire, nothing else.
        if (event.kind == RuleKind::recovery) ++recoveries;
        else FAIL_CHECK("rule " << event.rule_id << " fired on: " << line);
      }
    }
    CHECK(lines > 10000);
    CHECK(recoveries > 0);
  }

  TEST_CASE("a healthy start (scenario 02) fires recovery rules only") {
    std::set<std::string> recoveries;
    for (const LogRecord& record : test::scenario_records("02_healthy_startup_no_incident.ndjson")) {
      std::vector<Event> events;
      REQUIRE(bundled_pack()->match(record, events));
      for (const Event& event : events) {
        CHECK_MESSAGE(event.kind == RuleKind::recovery, event.rule_id << " fired on: " << record.text);
        recoveries.insert(event.rule_id);
      }
    }
    CHECK(recoveries == std::set<std::string>{"cloud_run_request_ok", "cloud_run_startup_probe_succeeded",
                                              "uvicorn_startup_complete"});
  }

  TEST_CASE("the prefilter covers the whole pack and changes no verdict") {
    auto pack = bundled_pack();
    REQUIRE(pack->prefilter() != nullptr);
    RuleSetOptions options;
    options.prefilter = false;
    std::vector<RuleProblem> problems;
    auto plain = RuleSet::load(kBundledPacks, problems, options);
    REQUIRE(plain != nullptr);
    CHECK(plain->prefilter() == nullptr);

    std::vector<LogRecord> records;
    for (const auto& entry : std::filesystem::directory_iterator(test::corpus_path("failures")))
      if (entry.path().extension() == ".ndjson")
        for (LogRecord& record : test::scenario_records(entry.path().filename().string())) records.push_back(record);
    for (const Rule& rule : pack->rules()) {
      for (const std::string& example : rule.examples_match) records.emplace_back().text = example;
      for (const std::string& example : rule.examples_no_match) records.emplace_back().text = example;
    }
    for (const char* file : {"python.txt", "java.txt", "go.txt", "node.txt", "ruby.txt", "csharp.txt", "php.txt", "dart.txt"})
      for (const std::string& line : test::text_lines(test::corpus_path(std::string("multiline/") + file)))
        records.emplace_back().text = line;
    records.emplace_back().text = "OSError: [Errno 28] NO SPACE LEFT ON DEVICE";

    size_t matched = 0;
    for (const LogRecord& record : records) {
      std::vector<Event> with, without;
      CHECK(pack->match(record, with));
      CHECK(plain->match(record, without));
      REQUIRE(with.size() == without.size());
      for (size_t i = 0; i < with.size(); ++i) {
        CHECK_MESSAGE(with[i].rule_id == without[i].rule_id, record.text);
        CHECK(with[i].captures == without[i].captures);
      }
      matched += with.empty() ? 0 : 1;
    }
    CHECK(matched > 200);
  }

  TEST_CASE("the multi-line corpus: Go panics are go_panic, recovered http panics are not") {
    std::ifstream in(test::corpus_path("multiline/go.txt"));
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::vector<Event> events = match_text(text.str());
    REQUIRE(events.size() == 1);
    CHECK(events[0].rule_id == "go_panic");
    CHECK(events[0].capture("message") == "my panic");  // the first panic of the file
    CHECK(events[0].sample == "panic: my panic");
  }
}

}  // namespace
}  // namespace faultline
