#include <doctest/doctest.h>

#include <string>

#include "store/incident_query.h"
#include "tests/support/sample_incidents.h"

using namespace faultline;
using faultline::testing::at;
using faultline::testing::bare_incident;

TEST_CASE("incident query: cursors are opaque, URL-safe and round-trip") {
  for (const IncidentCursor& c : {IncidentCursor{at("2025-09-16T00:42:33.8193Z"), "a1b2c3"},
                                  IncidentCursor{at("1960-01-01T00:00:00Z"), "id with | bar and ünicode"},
                                  IncidentCursor{Timestamp{}, "x"}}) {
    std::string text = encode_cursor(c);
    CAPTURE(text);
    CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(decode_cursor(text) == c);
  }
}

TEST_CASE("incident query: anything encode_cursor did not write is refused") {
  const std::string good = encode_cursor({at("2025-01-01T00:00:00Z"), "abc"});
  CHECK(decode_cursor(good));
  CHECK_FALSE(decode_cursor(""));
  CHECK_FALSE(decode_cursor("not base64!"));
  CHECK_FALSE(decode_cursor(good + "="));
  CHECK_FALSE(decode_cursor(good.substr(0, good.size() - 1) + "B"));  // non-zero padding bits
  CHECK_FALSE(decode_cursor("MTIz"));                                  // "123": no id
  CHECK_FALSE(decode_cursor("MTIzfA"));                                // "123|": empty id
  CHECK_FALSE(decode_cursor("fGFiYw"));                                // "|abc": no time
  CHECK_FALSE(decode_cursor("MXgyfGFiYw"));                            // "1x2|abc"
  CHECK_FALSE(decode_cursor("OTk5OTk5OTk5OTk5OTk5OTk5OTl8YQ"));        // time out of range
}

TEST_CASE("incident query: select_incidents filters, orders by (opened_at, id) and pages") {
  const Timestamp t0 = at("2025-05-01T00:00:00Z");
  std::vector<Incident> all = {
      bare_incident("a", "api", t0),
      bare_incident("b", "web", t0),
      bare_incident("c", "api", t0 + std::chrono::minutes(1)),
      bare_incident("d", "api", t0 + std::chrono::minutes(2)),
  };
  all[2].state = IncidentState::resolved;

  IncidentQuery query;
  query.service = "api";
  query.limit = 1;
  IncidentPage page = select_incidents(all, query);
  REQUIRE(page.incidents.size() == 1);
  CHECK(page.incidents[0].id == "a");
  REQUIRE(page.next);
  CHECK(*page.next == IncidentCursor{t0, "a"});

  query.after = page.next;
  query.limit = 5;
  page = select_incidents(all, query);
  REQUIRE(page.incidents.size() == 2);
  CHECK(page.incidents[0].id == "c");
  CHECK(page.incidents[1].id == "d");
  CHECK_FALSE(page.next);

  query = {};
  query.state = IncidentState::open;
  query.since = t0 + std::chrono::seconds(1);
  page = select_incidents(all, query);
  REQUIRE(page.incidents.size() == 1);
  CHECK(page.incidents[0].id == "d");

  // A full last page has no next: nothing matching follows.
  query = {};
  query.limit = 4;
  CHECK_FALSE(select_incidents(all, query).next);
  query.limit = 0;  // treated as 1
  CHECK(select_incidents(all, query).incidents.size() == 1);
}
