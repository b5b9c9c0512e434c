// The incident's timeline picture: rows, marks, revision bands, the first
// failure and crash-loop lines, and log text that stays text.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "incidents/timeline_svg.h"
#include "tests/support/event_builder.h"

using namespace faultline;
using namespace faultline::incident_tests;

namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

// The values of `attribute` on the elements whose opening tag starts with `tag_start`.
std::vector<std::string> attributes(const std::string& svg, const std::string& tag_start, const std::string& attribute) {
  std::vector<std::string> out;
  for (size_t at = svg.find(tag_start); at != std::string::npos; at = svg.find(tag_start, at + 1)) {
    const size_t end = svg.find('>', at);
    const std::string tag = svg.substr(at, end - at);
    const size_t name = tag.find(" " + attribute + "=\"");
    if (name == std::string::npos) continue;
    const size_t value = name + attribute.size() + 3;
    out.push_back(tag.substr(value, tag.find('"', value) - value));
  }
  return out;
}

Incident seed_incident() {
  FakeWall wall;
  Correlator c({}, wall.clock());
  feed(c, seed_events());
  return *c.incidents().at(0);
}

// A bad deploy as scenario 13 shows it: the healthy 00203 before, 00204 failing.
Incident bad_deploy(const std::string& previous = "orders-api-00203-lux",
                    const std::string& revision = "orders-api-00204-xyz") {
  FakeWall wall;
  Correlator c({}, wall.clock());
  std::vector<Event> events;
  for (int run = 0; run < 4; ++run) {
    const Timestamp start = at(60s + run * 9s);
    events.push_back(cause("python_module_not_found", start).service("orders-api").revision(revision).instance("i-1"));
    events.push_back(exit_event(start + 500ms).service("orders-api").revision(revision).instance("i-1"));
  }
  feed(c, events);
  Incident inc = *c.incidents().at(0);
  inc.deploy = DeployInfo{revision, previous, true, true, at(60s), std::nullopt};
  return inc;
}

}  // namespace

TEST_CASE("timeline svg: one row per instance of the seed, each with its cause and exit") {
  const Incident inc = seed_incident();
  const std::string svg = timeline_svg(inc);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(attributes(svg, "<g class=\"row\"", "data-instance") ==
        std::vector<std::string>{"instance-0", "instance-1", "instance-2", ""});  // "": Cloud Run's 503, no instance
  CHECK(count(svg, "(no instance)") == 1);
  CHECK(count(svg, "<g class=\"mark cause\"") == 3);
  CHECK(count(svg, "<g class=\"mark exit\"") == 3);
  CHECK(count(svg, "<g class=\"mark effect\"") == 9);
  // Each row's marks are inside its group, in the row's order.
  const size_t second_row = svg.find("data-instance=\"instance-1\"");
  CHECK(svg.find("cause on instance-0", 0) < second_row);
  CHECK(svg.find("cause on instance-1") > second_row);
  CHECK(count(svg, "<line class=\"first-failure\"") == 1);
  CHECK(count(svg, "<line class=\"crash-loop\"") == 1);
  CHECK(count(svg, "first failure 00:42:35") == 1);
  // One revision, no deploy: one band.
  CHECK(attributes(svg, "<rect class=\"band\"", "data-revision") == std::vector<std::string>{kSeedRevision});
  // Axis labels every 5 s over the 20 s cascade, and the date.
  CHECK(count(svg, ">00:42:40</text>") == 1);
  CHECK(count(svg, ">00:42:45</text>") == 1);
  CHECK(count(svg, "2025-09-16 UTC") == 1);
}

TEST_CASE("timeline svg: a bad deploy is a band of the healthy revision, then another colour from the first failure") {
  const Incident inc = bad_deploy();
  const std::string svg = timeline_svg(inc);
  CHECK(attributes(svg, "<rect class=\"band\"", "data-revision") ==
        std::vector<std::string>{"orders-api-00203-lux", "orders-api-00204-xyz"});
  const auto fills = attributes(svg, "<rect class=\"band\"", "fill");
  REQUIRE(fills.size() == 2);
  CHECK(fills[0] != fills[1]);
  const auto band_x = attributes(svg, "<rect class=\"band\"", "x");
  const auto failure_x = attributes(svg, "<line class=\"first-failure\"", "x1");
  REQUIRE(failure_x.size() == 1);
  CHECK(band_x[1] == failure_x[0]);
  CHECK(std::stod(band_x[0]) < std::stod(band_x[1]));
  CHECK(count(svg, "orders-api-00204-xyz (bad deploy)") >= 1);
  CHECK(count(svg, "(healthy)") >= 1);
  CHECK(count(svg, "<g class=\"mark cause\"") == 4);
  CHECK(count(svg, "<g class=\"mark exit\"") == 4);
}

TEST_CASE("timeline svg: a recovery is drawn when it resolved the incident, not a resolution by hand") {
  Incident inc = bad_deploy();
  inc.history.push_back(HistoryEntry{at(120s), "resolved", "auto", "recovered on orders-api-00205-fix"});
  std::string svg = timeline_svg(inc);
  CHECK(count(svg, "<line class=\"recovery\"") == 1);
  CHECK(count(svg, "recovered on orders-api-00205-fix") == 2);  // the line's and the label's tooltip
  inc.history.back().by = "alice";
  svg = timeline_svg(inc);
  CHECK(count(svg, "<line class=\"recovery\"") == 0);
}

TEST_CASE("timeline svg: markup in revisions and instance ids from logs stays text") {
  const std::string markup = "00204\"><script>alert(1)</script><img src=x onerror='x()'>&amp;";
  Incident inc = bad_deploy("00203<b>", markup);
  inc.instances[0] = "i-1\"><svg onload=alert(2)>";
  inc.service = "orders</title><script>";
  const std::string svg = timeline_svg(inc);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<img") == std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("onerror='") == std::string::npos);
  CHECK(count(svg, "<svg") == 1);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("&amp;amp;") != std::string::npos);
  CHECK(attributes(svg, "<rect class=\"band\"", "data-revision")[1] ==
        "00204&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#39;x()&#39;&gt;&amp;amp;");
  // Every '<' opens one of the renderer's own elements.
  const std::regex tag("<(/?)([a-z]+)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[2];
    CHECK_MESSAGE((name == "svg" || name == "g" || name == "title" || name == "rect" || name == "line" ||
                   name == "circle" || name == "path" || name == "text"),
                  name);
  }
}

TEST_CASE("timeline svg: control characters and bytes that are not UTF-8 are replaced") {
  Incident inc = bad_deploy("old\x01rev", std::string("new\xff\xfe") + "rev\x1b[31m");
  const std::string svg = timeline_svg(inc);
  CHECK(svg.find('\x01') == std::string::npos);
  CHECK(svg.find('\x1b') == std::string::npos);
  CHECK(svg.find('\xff') == std::string::npos);
  CHECK(svg.find("new\xEF\xBF\xBD\xEF\xBF\xBDrev\xEF\xBF\xBD[31m") != std::string::npos);
}

TEST_CASE("timeline svg: a long instance id is shortened in the middle, the full id in its tooltip") {
  const std::string id(120, 'a');
  Incident inc = bad_deploy();
  inc.instances[0] = "0069c7a91af85f635" + id + "66738d94";
  const std::string svg = timeline_svg(inc);
  CHECK(svg.find(">0069c7a91af" "\u2026" "aaaa66738d94</text>") != std::string::npos);
  CHECK(svg.find("<title>instance " + inc.instances[0] + "</title>") != std::string::npos);
}

TEST_CASE("timeline svg: at most 40 instance rows, the rest counted") {
  Incident inc = bad_deploy();
  for (int n = 0; n < 60; ++n) inc.instances.push_back("extra-" + std::to_string(n));
  const std::string svg = timeline_svg(inc);
  CHECK(count(svg, "<g class=\"row\"") == kTimelineMaxRows);
  CHECK(count(svg, "+21 more instances not drawn") == 1);
}

TEST_CASE("timeline svg: an incident stored without marks still draws its rows and says why they are empty") {
  Incident inc = seed_incident();
  inc.timeline.clear();
  const std::string svg = timeline_svg(inc);
  CHECK(count(svg, "<g class=\"row\"") == 3);
  CHECK(count(svg, "<g class=\"mark") == 0);
  CHECK(count(svg, "no per-instance events stored for this incident") == 1);
}
