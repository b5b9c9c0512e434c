// Hints that decide: a rule's `context:` patterns read the whole record, its
// `lookup:` tables name what provides a missing thing, and the first `hints:`
// variant whose captures are present is the hint. Both the mechanism (on small
// packs) and the bundled pack's hints on real log lines.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "rules/hint.h"
#include "rules/rule_set.h"
#include "bundled_pack.h"

namespace faultline {
namespace {

// The hint of the first cause that fires on `text`, "" when none does.
std::string cause_hint(const std::string& text, std::string* rule_id = nullptr) {
  LogRecord record;
  record.text = text;
  std::vector<Event> events;
  bundled_pack()->match(record, events);
  for (const Event& event : events) {
    if (event.kind != RuleKind::cause) continue;
    if (rule_id) *rule_id = event.rule_id;
    return event.hint;
  }
  return "";
}

const char* kTable = R"yaml(
name: distributions
source: https://example.org/mapping
license: CC0-1.0
entries:
  yaml: PyYAML
  google.cloud.pubsub_v1: google-cloud-pubsub
)yaml";

const char* kRule = R"yaml(
rules:
  - id: missing_module
    kind: cause
    severity: critical
    pattern: "No module named '(?P<module>(?P<package>[^'.]+)[^']*)'"
    summary: "missing {module}"
    context:
      - pattern: 'File "(?P<importer>[^"]+)", line (?P<line>\d+)'
        pick: last
      - pattern: 'File "(?P<app_dir>/(?:[^"]*/)?){package}/[^"]*"'
        unless: site-packages
    lookup:
      - {table: distributions, key: module, as: distribution}
    hints:
      - when: [app_dir]
        hint: "own package under {app_dir}, imported by {importer}:{line}"
      - when: [distribution]
        hint: "install {distribution}"
    hint: "fallback for {module}"
    examples:
      match: ["No module named 'x'"]
)yaml";

std::string hint_of(const std::shared_ptr<const RuleSet>& set, const std::string& text) {
  LogRecord record;
  record.text = text;
  std::vector<Event> events;
  set->match(record, events);
  return events.empty() ? std::string("<no event>") : events.front().hint;
}

std::vector<RuleProblem> problems_of(const std::string& rules, const std::string& table = kTable) {
  std::vector<RuleProblem> problems;
  RuleSet::load_text(rules, "pack.yaml", problems, {}, {{"distributions.table.yaml", table}});
  return problems;
}

bool reports(const std::vector<RuleProblem>& problems, const std::string& where, const std::string& text) {
  for (const RuleProblem& problem : problems) {
    const std::string described = problem.describe();
    if (described.find(where) != std::string::npos && described.find(text) != std::string::npos) return true;
  }
  for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
  return false;
}

TEST_SUITE("hints") {
  TEST_CASE("the first variant whose captures are present wins, with context and lookup values") {
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(kRule, "pack.yaml", problems, {}, {{"distributions.table.yaml", kTable}});
    for (const RuleProblem& problem : problems) MESSAGE(problem.describe());
    REQUIRE(set != nullptr);
    // Own package: a frame runs code from inside it, outside site-packages; the last frame imports.
    CHECK(hint_of(set, "Traceback (most recent call last):\n"
                       "  File \"/srv/shop/main.py\", line 3, in <module>\n"
                       "  File \"/srv/shop/orders/api.py\", line 9, in <module>\n"
                       "ModuleNotFoundError: No module named 'orders.billing'") ==
          "own package under /srv/shop/, imported by /srv/shop/orders/api.py:9");
    // Longest dotted prefix: google.cloud.pubsub_v1.types finds google.cloud.pubsub_v1.
    CHECK(hint_of(set, "No module named 'google.cloud.pubsub_v1.types'") == "install google-cloud-pubsub");
    // A frame inside site-packages does not make the package the service's own.
    CHECK(hint_of(set, "  File \"/usr/lib/python3/site-packages/yaml/x.py\", line 1\n"
                       "No module named 'yaml'") == "install PyYAML");
    CHECK(hint_of(set, "No module named 'zzz'") == "fallback for zzz");
  }

  TEST_CASE("a context pattern refers to an earlier capture, quoted for RE2") {
    const char* rule = R"yaml(
rules:
  - id: r
    kind: cause
    severity: warning
    pattern: "cannot import name (?P<name>\\w+) from '(?P<module>[^']+)'"
    summary: "s"
    context:
      - pattern: '\b{module}==(?P<version>[\d.]+)'
    hints:
      - {when: [version], hint: "{module} {version}"}
    hint: "unknown version"
    examples:
      match: ["cannot import name x from 'y'"]
)yaml";
    std::vector<RuleProblem> problems;
    auto set = RuleSet::load_text(rule, "pack.yaml", problems);
    REQUIRE(set != nullptr);
    CHECK(hint_of(set, "a.b==2.1.0 installed\ncannot import name x from 'a.b'") == "a.b 2.1.0");
    // The "." of the capture is literal: "axb==" is no version of a.b.
    CHECK(hint_of(set, "axb==2.1.0 installed\ncannot import name x from 'a.b'") == "unknown version");
  }

  TEST_CASE("context_references finds {name} but not repetitions or \\p{Class}") {
    CHECK(context_references(R"(a{3}b{2,5}\p{Greek}{module}x{package})") ==
          std::vector<std::string>{"module", "package"});
  }

  TEST_CASE("problems are reported with file:line: unknown table, unknown names, malformed table") {
    std::string rule = kRule;
    CHECK(reports(problems_of(std::string(rule).replace(rule.find("table: distributions"), 20, "table: dists")),
                  "pack.yaml:14", "lookup: unknown table 'dists' (known tables: distributions)"));
    CHECK(reports(problems_of(std::string(rule).replace(rule.find("when: [distribution]"), 20, "when: [distro]")),
                  "pack.yaml:", "hints.when: 'distro' is not a capture of the pattern or of a context pattern, or a lookup"));
    CHECK(reports(problems_of(std::string(rule).replace(rule.find("install {distribution}"), 22, "install {dist}")),
                  "pack.yaml:", "hints.hint: {dist} is not"));
    CHECK(reports(problems_of(std::string(rule).replace(rule.find("){package}/"), 11, "){pkg}/")),
                  "pack.yaml:", "context: {pkg} is not"));
    CHECK(reports(problems_of(kRule, "name: distributions\nsource: s\nlicense: l\nentries:\n  yaml: [a, b]\n"),
                  "distributions.table.yaml:5", "table: entries.yaml: must be a string or a map of fields"));
    CHECK(reports(problems_of(kRule, "name: distributions\nentries:\n  yaml: PyYAML\n"),
                  "distributions.table.yaml:1", "table: missing required key 'source'"));
    CHECK(reports(problems_of(kRule, "name: distributions\nsource: s\nlicense: l\nentrys: {}\n"),
                  "distributions.table.yaml:4", "table: unknown key 'entrys'"));
  }

  TEST_CASE("the seed: own package, naming the importing file and the directory the image needs") {
    std::string rule;
    const std::string hint = cause_hint(
        "Traceback (most recent call last):\n"
        "  File \"/app/netra_backend/app/core/middleware_setup.py\", line 852, in _add_websocket_exclusion_middleware\n"
        "    from netra_backend.app.middleware.uvicorn_protocol_enhancement import (\n"
        "  File \"/app/netra_backend/app/middleware/__init__.py\", line 3, in <module>\n"
        "    from .gcp_auth_context_middleware import (\n"
        "  File \"/app/netra_backend/app/middleware/gcp_auth_context_middleware.py\", line 23, in <module>\n"
        "    from netra_backend.app.services.monitoring.gcp_error_reporter import set_request_context, clear_request_context\n"
        "ModuleNotFoundError: No module named 'netra_backend.app.services.monitoring'",
        &rule);
    CHECK(rule == "python_module_not_found");
    CHECK(hint.find("own package") != std::string::npos);
    CHECK(hint.find("gcp_auth_context_middleware.py") != std::string::npos);
    CHECK(hint.find("`/app/netra_backend/app/services/monitoring/`") != std::string::npos);
    CHECK(hint.find("If it is third-party") == std::string::npos);
  }

  TEST_CASE("a third-party missing module names its distribution and the requirements line") {
    std::string rule;
    const std::string hint = cause_hint(
        "Traceback (most recent call last):\n"
        "  File \"/srv/app/main.py\", line 4, in <module>\n"
        "    from google.cloud import pubsub_v1\n"
        "ModuleNotFoundError: No module named 'google.cloud.pubsub_v1'",
        &rule);
    CHECK(rule == "python_module_not_found");
    CHECK(hint.find("third-party") != std::string::npos);
    CHECK(hint.find("`google-cloud-pubsub`") != std::string::npos);
    CHECK(hint.find("`pip install google-cloud-pubsub`") != std::string::npos);
    CHECK(hint.find("main.py line 4") != std::string::npos);
    // Import name and distribution differ (a real line: tests/corpus/realworld).
    CHECK(cause_hint("ModuleNotFoundError: No module named 'yaml'").find("`PyYAML`") != std::string::npos);
  }

  TEST_CASE("cannot import name: version skew, quoting the installed version the record shows") {
    const std::string hint = cause_hint(
        "Successfully installed Werkzeug-3.0.1 flask-2.2.2\n"
        "ImportError: cannot import name 'url_quote' from 'werkzeug.urls' "
        "(/usr/local/lib/python3.11/site-packages/werkzeug/urls.py)");
    CHECK(hint.find("Version skew between the code and werkzeug") != std::string::npos);
    CHECK(hint.find("werkzeug 3.0.1") != std::string::npos);
    CHECK(cause_hint("ImportError: cannot import name 'db' from partially initialized module 'app.models' "
                     "(most likely due to a circular import) (/app/app/models/__init__.py)")
              .find("circular import") != std::string::npos);
  }

  TEST_CASE("a shared library: the Debian and Alpine packages, and a glibc/musl mismatch said as such") {
    // A real line: tests/corpus/realworld/python/py-docker-run-libgl-cv2.log.
    const std::string libgl = cause_hint("ImportError: libGL.so.1: cannot open shared object file: No such file or directory");
    CHECK(libgl.find("`apt-get install -y --no-install-recommends libgl1`") != std::string::npos);
    CHECK(libgl.find("`apk add mesa-gl`") != std::string::npos);
    // musl's loader: the image is Alpine.
    CHECK(cause_hint("Error loading shared library libstdc++.so.6: No such file or directory (needed by /usr/local/bin/node)")
              .find("`apk add --no-cache libstdc++`") != std::string::npos);
    // A glibc binary on Alpine: its loader is missing, or musl cannot relocate a glibc symbol.
    std::string rule;
    CHECK(cause_hint("Error loading shared library ld-linux-x86-64.so.2: No such file or directory (needed by /app/server)")
              .find("glibc/musl mismatch") != std::string::npos);
    CHECK(cause_hint("Error relocating /usr/local/bin/app: __memcpy_chk: symbol not found", &rule)
              .find("glibc/musl mismatch") != std::string::npos);
    CHECK(rule == "libc_mismatch");
    CHECK(cause_hint("/app/server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /app/server)")
              .find("needs glibc 2.34 or newer") != std::string::npos);
  }

  TEST_CASE("Node: a devDependency dropped by npm ci --omit=dev, a missing build output, an ESM/CommonJS mismatch") {
    const std::string dev = cause_hint(
        "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\n"
        "Error: Cannot find module 'ts-node/register'\nRequire stack:\n- internal/preload");
    CHECK(dev.find("devDependency") != std::string::npos);
    CHECK(dev.find("`npm ci --omit=dev`") != std::string::npos);
    // Real lines: tests/corpus/realworld/node-ruby-php-rust-go/node-require-stack-dist-index-docker.log.
    const std::string build = cause_hint("Error: Cannot find module '/usr/src/app/dist/index.js'");
    CHECK(build.find("/usr/src/app/dist/index.js is a file of the service") != std::string::npos);
    CHECK(build.find("`npm run build`") != std::string::npos);
    const std::string package = cause_hint("Error: Cannot find module 'express'\nRequire stack:\n- /usr/src/app/server.js");
    CHECK(package.find("`npm install --save express`") != std::string::npos);
    const std::string esm = cause_hint(
        "Error [ERR_REQUIRE_ESM]: require() of ES Module /app/node_modules/node-fetch/src/index.js from "
        "/app/server.js not supported.");
    CHECK(esm.find("ESM/CommonJS mismatch") != std::string::npos);
    CHECK(esm.find("`await import('node-fetch')`") != std::string::npos);
    CHECK(cause_hint("ReferenceError: require is not defined in ES module scope, you can use import instead")
              .find("ESM/CommonJS mismatch") != std::string::npos);
  }

  TEST_CASE("Java: the artifact that provides a well-known missing class") {
    const std::string hint =
        cause_hint("Exception in thread \"main\" java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory");
    CHECK(hint.find("`org.slf4j:slf4j-api`") != std::string::npos);
  }

  TEST_CASE("a hint names the record's service in a command") {
    LogRecord record;
    record.text = "KeyError: 'DATABASE_URL'";
    record.service = "orders-api";
    std::vector<Event> events;
    bundled_pack()->match(record, events);
    REQUIRE(!events.empty());
    CHECK(events[0].hint.find("`gcloud run services update orders-api --update-env-vars=DATABASE_URL=…`") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace faultline
