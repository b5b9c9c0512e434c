// Fuzz target: the on-demand reads of Pub/Sub push envelopes (parsers/pubsub_ondemand.h)
// and of the LogEntry inside (parsers/log_entry_ondemand.h) against the DOM reads
// they stand in for. Whatever an on-demand path accepts, the DOM path must accept
// too, with the same record, warnings and count; where it declines, the daemon
// reads the body the DOM way (fuzzed by fuzz/pubsub.cpp and fuzz/logentry.cpp).
// Each input is tried as an envelope, as a LogEntry on its own, and as the
// LogEntry of an envelope (base64 hides its bytes from the fuzzer's mutations).
#include "codec/base64.h"
#include "fuzz/fuzz_support.h"
#include "parsers/json_document.h"
#include "parsers/json_record.h"
#include "parsers/log_entry_ondemand.h"
#include "parsers/pubsub.h"
#include "parsers/pubsub_ondemand.h"

namespace faultline::fuzz {
namespace {

void require_same(const LogRecord& a, const LogRecord& b) {
  require(a.time == b.time, "time differs");
  require(a.service == b.service && a.namespace_name == b.namespace_name && a.cluster == b.cluster &&
              a.revision == b.revision && a.instance == b.instance,
          "the workload differs: " + a.service + " vs " + b.service);
  require(a.stream == b.stream && a.severity == b.severity && a.app_level == b.app_level &&
              a.resource_type == b.resource_type,
          "stream, severity, app_level or resource_type differs");
  require(a.text == b.text, "text differs: " + a.text + " vs " + b.text);
  require(a.source_id == b.source_id, "source_id differs: " + a.source_id + " vs " + b.source_id);
  require(a.http_status == b.http_status, "http_status differs");
  require(a.culprit == b.culprit && a.exceptions == b.exceptions, "culprit or exceptions differ");
}

void check(std::string_view body, const ParseOptions& options) {
  ParseResult fast_result;
  RecordSink fast(options, fast_result);
  if (!read_pubsub_envelope_ondemand(JsonRecordText{0, 0, body, true}, fast)) {
    require(fast_result.records.empty() && fast_result.errors.empty() && fast_result.warnings.empty() &&
                fast_result.input_records == 0,
            "the on-demand path declined after writing to the sink");
    return;
  }
  Json value;
  JsonSyntaxError syntax;
  require(parse_json_document(body, value, syntax), "the on-demand path accepted invalid JSON: " + syntax.message(0));
  require(is_pubsub_envelope(value), "the on-demand path accepted what is not a push envelope");
  ParseResult dom_result;
  RecordSink dom(options, dom_result);
  read_pubsub_envelope(value, 0, 0, dom);
  require(dom_result.errors.empty(), "the DOM path refused what the on-demand path accepted: " +
                                         (dom_result.errors.empty() ? "" : dom_result.errors.front().describe()));
  require(fast_result.input_records == dom_result.input_records, "input_records differs");
  require(fast_result.records.size() == dom_result.records.size(), "record count differs");
  for (size_t i = 0; i < fast_result.records.size(); ++i) {
    check_record(fast_result.records[i]);
    require_same(fast_result.records[i], dom_result.records[i]);
  }
  require(fast_result.warnings.size() == dom_result.warnings.size(), "warning count differs");
  for (size_t i = 0; i < fast_result.warnings.size(); ++i)
    require(fast_result.warnings[i].field == dom_result.warnings[i].field &&
                fast_result.warnings[i].message == dom_result.warnings[i].message,
            "warning differs: " + fast_result.warnings[i].describe());
}

// `entry` read on its own by both paths, in `context`.
void check_entry(std::string_view entry, const RecordContext& context) {
  std::string text(entry);
  LogRecord fast;
  if (!read_log_entry_ondemand(text, context, fast)) return;
  require(text == entry, "the on-demand path changed its text");
  Json value;
  JsonSyntaxError syntax;
  require(parse_json_document(entry, value, syntax),
          "the on-demand path accepted an invalid LogEntry: " + syntax.message(0));
  LogRecord dom;
  FieldError error;
  std::optional<FieldError> warning;
  require(record_from_object(value, context, dom, error, warning),
          "the DOM path refused a LogEntry the on-demand path read: " + error.field + ": " + error.message);
  require(!warning, "the DOM path warned about a LogEntry the on-demand path read: " +
                        (warning ? warning->message : std::string()));
  check_record(fast);
  require_same(fast, dom);
}

// `entry` as the message.data of a push envelope.
std::string envelope_of(std::string_view entry) {
  return R"({"message":{"data":")" + base64_encode(entry) +
         R"(","messageId":"4242","publishTime":"2026-11-25T12:00:00.25Z"},"subscription":"projects/p/subscriptions/s"})";
}

}  // namespace
}  // namespace faultline::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faultline;
  ParseOptions defaults;
  defaults.arrival = Timestamp{std::chrono::seconds(1760000000)};
  fuzz::check(fuzz::bytes(data, size), defaults);
  ParseOptions tight = defaults;
  tight.max_line_bytes = 256;
  tight.max_records = 4;
  tight.service = "svc";
  fuzz::check(fuzz::bytes(data, size), tight);

  const std::string_view entry = fuzz::bytes(data, size);
  fuzz::check_entry(entry, RecordContext{defaults});
  fuzz::check_entry(entry, RecordContext{tight, "4242", Timestamp{std::chrono::seconds(1764072000)}});
  fuzz::check(fuzz::envelope_of(entry), defaults);
  return 0;
}
