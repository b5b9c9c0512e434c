// One Google Cloud Logging LogEntry JSON object -> LogRecord, as parse.h documents
// field by field. Internal to parsers/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsers/json_fields.h"
#include "parsers/log_record.h"
#include "parsers/record_context.h"

namespace faultline {

// True when `object` has a member only a LogEntry has (resource, logName,
// insertId, textPayload, jsonPayload, protoPayload, httpRequest).
bool is_log_entry(const Json& object);

// Fills `out` from `entry`. On a malformed field returns false with `error`
// naming it relative to the entry ("resource.labels"). A timestamp that cannot
// be read is no reason to lose the entry: the next time is used
// (receiveTimestamp, publishTime, arrival) and `warning` says so.
bool log_entry_to_record(const Json& entry, const RecordContext& context, LogRecord& out,
                         FieldError& error, std::optional<FieldError>& warning);

// "stderr" for "projects/p/logs/run.googleapis.com%2Fstderr"; see parse.h.
std::string stream_from_log_name(std::string_view log_name);

// What both readers of a LogEntry (the DOM one above, and the on-demand one of
// log_entry_ondemand.h) share once they have the members, so that the record
// is built from them by one piece of code.

// A label map of the entry (labels, resource.labels) as the workload reads it:
// `out` untouched when `key` is absent; false with `error` naming the field when
// the label is not a string.
class EntryLabels {
 public:
  virtual bool read(std::string_view key, std::string_view& out, FieldError& error) const = 0;

 protected:
  ~EntryLabels() = default;
};

// The members that say where the entry came from and which one it is.
struct EntryOrigin {
  std::string_view resource_type, insert_id, log_name;
  const EntryLabels* resource_labels = nullptr;  // nullptr: absent
  const EntryLabels* labels = nullptr;
  // A kubelet event's container (jsonPayload.involvedObject.fieldPath), or empty.
  std::string_view involved_container;
};

// The record's service, revision, instance, namespace, cluster, resource type,
// stream and source_id from `origin`; false with `error` naming a malformed field.
bool entry_origin_to_record(const EntryOrigin& origin, const RecordContext& context, LogRecord& out,
                            FieldError& error);

// Appends "POST 503 https://…" (the parts there are) to `text`: what a person reads
// in the console for a request log that carries no payload. `status`: nullptr when
// the request has none.
void append_request_line(std::string_view method, const int* status, std::string_view url, std::string& text);

}  // namespace faultline
