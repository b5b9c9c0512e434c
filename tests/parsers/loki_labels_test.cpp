// The labels string of a Loki protobuf push (parsers/loki_labels.h), in the
// spellings shippers write: Promtail/Alloy (Prometheus' labels.String()),
// winston-loki (no spaces, level first), hand-written ones; and every mistake
// named with its byte.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parsers/loki_labels.h"

namespace faultline {
namespace {

using namespace std::string_literals;

std::vector<std::pair<std::string, std::string>> labels(std::string_view text) {
  std::vector<LokiLabel> out;
  LokiLabelsError error;
  REQUIRE_MESSAGE(parse_loki_labels(text, out, error), error.message);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const LokiLabel& label : out) pairs.emplace_back(label.name, label.value);
  return pairs;
}

LokiLabelsError labels_error(std::string_view text) {
  std::vector<LokiLabel> out;
  LokiLabelsError error;
  CHECK_FALSE(parse_loki_labels(text, out, error));
  return error;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("Loki labels: the spellings shippers write") {
  // Promtail and Alloy: labels.String(), sorted, ", " between.
  CHECK(labels(R"({app="checkout", namespace="shop", pod="checkout-7d4b9c-x2x9q"})") ==
        Pairs{{"app", "checkout"}, {"namespace", "shop"}, {"pod", "checkout-7d4b9c-x2x9q"}});
  // winston-loki: level first, no spaces.
  CHECK(labels(R"({level="error",app="api",service_name="api"})") ==
        Pairs{{"level", "error"}, {"app", "api"}, {"service_name", "api"}});
  // Spaces, tabs and newlines anywhere between tokens, but none inside a value's quotes are lost.
  CHECK(labels(" {\n\tjob = \"varlogs\" ,\n filename=\"/var/log/a b.log\"\t} ") ==
        Pairs{{"job", "varlogs"}, {"filename", "/var/log/a b.log"}});
  CHECK(labels("{}").empty());
  CHECK(labels("{ }").empty());
  CHECK(labels(R"({_private="", A_1="x"})") == Pairs{{"_private", ""}, {"A_1", "x"}});
}

TEST_CASE("Loki labels: Go's escapes, and raw back-quoted values") {
  CHECK(labels(R"({msg="say \"hi\"", path="C:\\tmp", lines="a\nb\tc"})") ==
        Pairs{{"msg", "say \"hi\""}, {"path", "C:\\tmp"}, {"lines", "a\nb\tc"}});
  CHECK(labels(R"({c="\a\b\f\r\v"})") == Pairs{{"c", "\a\b\f\r\v"}});
  // strconv.Quote writes non-printable and non-ASCII characters so.
  CHECK(labels(R"({e="caf\u00e9 \U0001F4A5 \xc3\xa9 \303\251"})") ==
        Pairs{{"e", "caf\xC3\xA9 \xF0\x9F\x92\xA5 \xC3\xA9 \xC3\xA9"}});
  CHECK(labels("{q=`raw \\n \"as is\"`}") == Pairs{{"q", "raw \\n \"as is\""}});
  // Bytes that are already UTF-8 pass through.
  CHECK(labels("{city=\"Z\xC3\xBCrich\"}") == Pairs{{"city", "Z\xC3\xBCrich"}});
}

TEST_CASE("Loki labels: each mistake is named with its byte") {
  struct Case {
    std::string text;
    size_t offset;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", 0, "at byte 0: expected '{' to open the labels, got the end"},
      {"app=\"x\"", 0, "at byte 0: expected '{' to open the labels, got 'a'"},
      {"{app=\"x\"", 8, "at byte 8: expected ',' or '}' after the value of label app, got the end"},
      {"{app:\"x\"}", 4, "at byte 4: expected '=' after the label name app, got ':'"},
      {"{app=~\"x\"}", 4, "at byte 4: label app uses the matcher =~: a stream's labels take = only"},
      {"{app!=\"x\"}", 4, "at byte 4: label app uses the matcher !=: a stream's labels take = only"},
      {"{app=x}", 5, "at byte 5: expected a quoted value for label app, got 'x'"},
      {"{1app=\"x\"}", 1, "at byte 1: expected a label name ([A-Za-z_][A-Za-z0-9_]*), got '1'"},
      {"{service.name=\"x\"}", 8, "at byte 8: expected '=' after the label name service, got '.'"},
      {"{app=\"x\",}", 9, "at byte 9: expected a label name ([A-Za-z_][A-Za-z0-9_]*), got '}'"},
      {"{app=\"x\" pod=\"y\"}", 9, "at byte 9: expected ',' or '}' after the value of label app, got 'p'"},
      {"{app=\"x}", 5, "at byte 5: the value of label app opens a \" string that is never closed"},
      {"{app=`x}", 5, "at byte 5: the value of label app opens a ` string that is never closed"},
      {"{app=\"x\\q\"}", 7, "at byte 7: the value of label app has an invalid escape \\q"},
      {"{app=\"\\x4\"}", 6, "at byte 6: the value of label app has an invalid escape \\x4"},
      {"{app=\"\\400\"}", 6, "at byte 6: the value of label app has an invalid escape \\400"},
      {"{app=\"\\uD800\"}", 6, "at byte 6: the value of label app escapes \\uD800, which is not a Unicode character"},
      {"{app=\"\\xff\"}", 5, "at byte 5: the value of label app is not valid UTF-8 (byte 0 of the value)"},
      {"{app=\"x\"} trailing", 10, "at byte 10: unexpected 't' after the closing '}'"},
      {"{a=\"1\", b=\"2\", a=\"3\", b=\"4\"}", 15, "at byte 15: label a appears twice"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    LokiLabelsError error = labels_error(c.text);
    CHECK(error.offset == c.offset);
    CHECK(error.message == c.message);
  }
}

TEST_CASE("Loki labels: a very long label list is read in one pass") {
  std::string text = "{";
  for (int i = 0; i < 20000; ++i) text += (i ? ", l" : "l") + std::to_string(i) + "=\"v\"";
  text += "}";
  CHECK(labels(text).size() == 20000);
  text.insert(text.size() - 1, ", l0=\"again\"");
  CHECK(labels_error(text).message.ends_with("label l0 appears twice"));
}

}  // namespace
}  // namespace faultline
