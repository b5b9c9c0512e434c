#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "store/incident_codec.h"
#include "tests/support/sample_incidents.h"

using namespace faultline;
using faultline::testing::at;
using faultline::testing::bare_incident;
using faultline::testing::every_field;
using faultline::testing::rich_incident;

namespace {

std::vector<Incident> variants() {
  std::vector<Incident> out;
  out.push_back(rich_incident());
  out.push_back(bare_incident("k8s", "checkout", at("2025-02-03T04:05:06.123456789Z")));

  Incident acked = rich_incident("acked");
  acked.state = IncidentState::acknowledged;
  acked.resolved_at.reset();
  acked.resolved_by.reset();
  acked.resolved_by_revision.reset();
  acked.root_cause.frame.reset();
  acked.severity = Severity::info;
  acked.deploy = DeployInfo{"backend-00043-def", "backend-00042-abc", true, true, at("2025-09-16T00:41:00Z"),
                            "gcloud run services update-traffic backend --to-revisions=backend-00042-abc=100"};
  out.push_back(acked);

  // Nothing optional at all, and captures that would shadow the root cause's own keys.
  Incident odd;
  odd.id = "odd";
  odd.fingerprint = "not-a-fingerprint";
  odd.root_cause.captures = {{"port", "8080"}, {"message", "shadow"}, {"code", "0137"}, {"big", "12345678901"}};
  odd.last_failure = odd.last_seen = odd.opened_at = at("1999-12-31T23:59:59.999999999Z");
  out.push_back(odd);
  return out;
}

std::string decode_error(nlohmann::json body) {
  try {
    incident_from_json(body);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "decoded";
}

}  // namespace

TEST_CASE("incident codec: incident_from_json inverts to_json") {
  for (const Incident& x : variants()) {
    CAPTURE(x.id);
    const nlohmann::json body = to_json(x);
    CHECK(to_json(incident_from_json(body)) == body);
    // Through text too, as the store keeps it.
    CHECK(to_json(incident_from_json(nlohmann::json::parse(body.dump()))) == body);
  }
}

TEST_CASE("incident codec: with the restore fields every field of the incident comes back") {
  for (const Incident& x : variants()) {
    CAPTURE(x.id);
    Incident back = incident_from_json(nlohmann::json::parse(to_json(x).dump()));
    apply_restore_json(nlohmann::json::parse(to_restore_json(x).dump()), back);
    CHECK(every_field(back) == every_field(x));
  }
}

TEST_CASE("incident codec: what to_json alone loses is only what the restore fields carry") {
  Incident x = rich_incident();
  x.root_cause.captures = {{"module", "m"}, {"class", "C"}};  // not in name order
  x.exit_codes = {{"3", 2}, {"137", 1}};                      // nor these
  x.last_failure = at("2025-09-16T00:44:03Z");
  Incident back = incident_from_json(to_json(x));
  CHECK(back.root_cause.captures == std::vector<std::pair<std::string, std::string>>{{"class", "C"}, {"module", "m"}});
  CHECK(back.exit_codes == std::vector<std::pair<std::string, int>>{{"137", 1}, {"3", 2}});
  CHECK(back.last_failure == x.last_seen);

  CHECK(back.timeline.empty());

  back.root_cause.captures = x.root_cause.captures;
  back.exit_codes = x.exit_codes;
  back.last_failure = x.last_failure;
  back.timeline = x.timeline;
  CHECK(every_field(back) == every_field(x));
}

TEST_CASE("incident codec: restore fields stored before timelines were kept give an empty timeline") {
  const Incident x = rich_incident();
  nlohmann::json restore = to_restore_json(x);
  CHECK(restore["timeline"].size() == x.timeline.size());
  CHECK(restore["timeline"][0] == nlohmann::json::parse("[1757983353819, \"cause\", 0, 0]"));
  restore.erase("timeline");
  Incident back = incident_from_json(to_json(x));
  apply_restore_json(restore, back);
  CHECK(back.timeline.empty());
  CHECK(back.last_failure == x.last_failure);
}

TEST_CASE("incident codec: a malformed timeline mark is refused, naming the field") {
  const Incident x = rich_incident();
  for (const char* bad : {"[[1, \"cause\", 0]]", "[[1, \"crash\", 0, 0]]", "[[\"1\", \"cause\", 0, 0]]",
                          "[[1, \"cause\", -1, 0]]", "{}"}) {
    CAPTURE(bad);
    nlohmann::json restore = to_restore_json(x);
    restore["timeline"] = nlohmann::json::parse(bad);
    Incident back = incident_from_json(to_json(x));
    std::string error;
    try {
      apply_restore_json(restore, back);
    } catch (const std::invalid_argument& e) {
      error = e.what();
    }
    CHECK(error.rfind("field 'restore.timeline': expected ", 0) == 0);
  }
}

TEST_CASE("incident codec: a malformed body is refused, naming the field") {
  const nlohmann::json good = to_json(rich_incident());
  CHECK(decode_error(good) == "decoded");

  auto with = [&](const nlohmann::json::json_pointer& where, nlohmann::json value) {
    nlohmann::json body = good;
    body[where] = std::move(value);
    return decode_error(body);
  };
  CHECK(with("/state"_json_pointer, "closed") == "field 'state': expected open, acknowledged or resolved");
  CHECK(with("/severity"_json_pointer, 3) == "field 'severity': expected info, warning or critical");
  CHECK(with("/chain/1/kind"_json_pointer, "side") == "field 'chain[1].kind': expected cause, effect, exit, loop or recovery");
  CHECK(with("/chain/2/first_seen"_json_pointer, "yesterday") == "field 'chain[2].first_seen': expected an RFC 3339 time");
  CHECK(with("/history/0/by"_json_pointer, nullptr) == "field 'history[0].by': expected a string");
  CHECK(with("/root_cause/frame/line"_json_pointer, "23") == "field 'root_cause.frame.line': expected an integer");
  CHECK(with("/resolved_at"_json_pointer, "soon") == "field 'resolved_at': expected an RFC 3339 time or null");
  CHECK(with("/exit_codes/3"_json_pointer, "three") == "field 'exit_codes.3': expected an integer");
  CHECK(decode_error(nlohmann::json::array()) == "field '(incident)': expected an object");

  nlohmann::json missing = good;
  missing.erase("opened_at");
  CHECK(decode_error(missing) == "field 'opened_at': expected an RFC 3339 time");

  Incident back = rich_incident();
  CHECK_THROWS_WITH_AS(apply_restore_json({{"last_failure", "x"}}, back),
                       "field 'restore.last_failure': expected an RFC 3339 time", std::invalid_argument);
}
