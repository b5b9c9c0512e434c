// Fingerprints, revision order and exit labels: the small rules correlation rests on.
#include <doctest/doctest.h>

#include "tests/support/event_builder.h"
#include "incidents/exit_code.h"
#include "incidents/fingerprint.h"
#include "incidents/revision.h"

using namespace faultline;
using namespace faultline::incident_tests;

TEST_CASE("the primary capture is the first present of module, class, library, port, code") {
  Event e = cause("python_import_name", at(0s)).capture("name", "force_text").capture("module", "django.utils.encoding");
  CHECK(primary_capture(e) == std::make_pair(std::string("module"), std::string("django.utils.encoding")));
  Event port = cause("container_port_timeout", at(0s)).capture("code", "1").capture("port", "8080");
  CHECK(primary_capture(port)->first == "port");
  Event none = cause("oom_killed", at(0s)).capture("limit_mib", "512");
  CHECK_FALSE(primary_capture(none));
}

TEST_CASE("fingerprints are versioned, explainable and give stable ids") {
  const std::string fp = make_fingerprint(Scope{"", "", "backend"}, "python_module_not_found",
                                          std::make_pair(std::string("module"), std::string("a.b")));
  CHECK(fp == "v1|//backend|python_module_not_found|module=a.b");
  auto parts = parse_fingerprint(fp);
  REQUIRE(parts);
  CHECK(parts->version == "v1");
  CHECK(parts->service == "backend");
  CHECK(parts->rule == "python_module_not_found");
  CHECK(parts->capture_name == "module");
  CHECK(parts->capture_value == "a.b");

  CHECK(incident_id(fp) == incident_id(fp));
  CHECK(incident_id(fp).size() == 16);
  CHECK(incident_id(fp) != incident_id(fp + "c"));
  // FNV-1a-64 of the empty string is its offset basis: the recipe is the documented one.
  CHECK(incident_id("") == "cbf29ce484222325");

  auto k8s = parse_fingerprint("v1|gke/shop/web|oom_killed|");
  REQUIRE(k8s);
  CHECK(k8s->cluster == "gke");
  CHECK(k8s->namespace_name == "shop");
  CHECK(k8s->capture_name.empty());
  CHECK_FALSE(parse_fingerprint("not a fingerprint"));
}

TEST_CASE("Cloud Run revisions order by number, other names only differ") {
  auto r = parse_cloud_run_revision("pdf-renderer-00013-hiv");
  REQUIRE(r);
  CHECK(r->service == "pdf-renderer");
  CHECK(r->number == 13);
  CHECK_FALSE(parse_cloud_run_revision("7d4b9c8f6"));
  CHECK_FALSE(parse_cloud_run_revision("svc-013-abc"));

  CHECK(is_newer_revision("svc-00013-abc", {"svc-00012-xyz"}));
  CHECK_FALSE(is_newer_revision("svc-00012-xyz", {"svc-00012-xyz"}));
  CHECK_FALSE(is_newer_revision("svc-00011-old", {"svc-00012-xyz"}));
  CHECK_FALSE(is_newer_revision("svc-00013-abc", {"svc-00012-xyz", "svc-00013-abc"}));
  CHECK(is_newer_revision("5f7c9d", {"7d4b9c"}));
  CHECK_FALSE(is_newer_revision("7d4b9c", {"7d4b9c"}));
  CHECK(is_newer_revision("", {"svc-00012-xyz"}));
  CHECK(is_newer_revision("svc-00001-aaa", {}));

  CHECK(is_older_revision("svc-00012-xyz", "svc-00013-abc"));
  CHECK_FALSE(is_older_revision("svc-00013-abc", "svc-00013-abc"));
  CHECK_FALSE(is_older_revision("7d4b9c", "5f7c9d"));
}

TEST_CASE("exit labels stay bounded: 0-255 or a signal name") {
  auto label = [](const char* name, const char* value) {
    return exit_label(Ev("x", RuleKind::exit, at(0s)).capture(name, value));
  };
  CHECK(label("code", "3") == "3");
  CHECK(label("code", "259") == "3");
  CHECK(label("code", "-1") == "255");
  CHECK(label("code", "banana") == "other");
  CHECK(label("signal", "9") == "SIGKILL");
  CHECK(label("signal", "KILL") == "SIGKILL");
  CHECK(label("signal", "sigsegv") == "SIGSEGV");
  CHECK(label("signal", "40") == "SIG40");
  CHECK(label("signal", "1000") == "other");
  CHECK_FALSE(exit_label(Ev("oom_killed", RuleKind::cause, at(0s))));
  CHECK(exit_meaning("137") == "killed by SIGKILL, usually out of memory");
  CHECK(exit_meaning("3") == "application boot failure by convention");
  CHECK(exit_meaning("42").empty());
}
