// Fuzz target: the labels string of a Loki protobuf push (parsers/loki_labels.h),
// {app="checkout", pod="…"} with Go's string escapes.
//
// Checks: a refusal names a byte inside the input; accepted labels have
// Prometheus names, UTF-8 values and no name twice; and written back with
// escapes (as Promtail writes them) they read back the same.
#include <set>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "parsers/loki_labels.h"
#include "parsers/utf8.h"

namespace {

using faultline::fuzz::require;

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string go_quoted(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = faultline::fuzz::bytes(data, size);
  std::vector<faultline::LokiLabel> labels;
  faultline::LokiLabelsError error;
  if (!faultline::parse_loki_labels(text, labels, error)) {
    require(error.offset <= text.size(), "an error offset beyond the input: " + error.message);
    require(!error.message.empty(), "an error without a message");
    return 0;
  }
  std::set<std::string> names;
  std::string written = "{";
  for (const faultline::LokiLabel& label : labels) {
    require(valid_name(label.name), "an accepted label name that is not a Prometheus name: " + label.name);
    require(names.insert(label.name).second, "a label name accepted twice: " + label.name);
    require(faultline::find_invalid_utf8(label.value) == std::string_view::npos, "a label value that is not UTF-8");
    if (written.size() > 1) written += ", ";
    written += label.name + "=" + go_quoted(label.value);
  }
  written += "}";
  std::vector<faultline::LokiLabel> again;
  require(faultline::parse_loki_labels(written, again, error), "written-back labels do not read: " + error.message);
  require(again.size() == labels.size(), "written-back labels read as another number of labels");
  for (size_t i = 0; i < labels.size(); ++i)
    require(again[i].name == labels[i].name && again[i].value == labels[i].value,
            "a label that does not survive writing back: " + labels[i].name);
  return 0;
}
