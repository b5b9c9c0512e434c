#include "parsers/record_sink.h"

namespace faultline {

bool RecordSink::admit(size_t index, size_t offset) {
  if (full_) return false;
  if (result_.input_records >= options_.max_records) {
    full_ = true;
    reject_limit(index, offset, "max_records",
                 "more than " + std::to_string(options_.max_records) +
                     " records in one body; this record and the rest were not read");
    return false;
  }
  ++result_.input_records;
  return true;
}

void RecordSink::reject(size_t index, size_t offset, std::string field, std::string message) {
  result_.errors.push_back(RecordError{index + options_.base_index, offset + options_.base_offset, std::move(field),
                                       std::move(message), {}});
}

void RecordSink::warn(size_t index, size_t offset, std::string field, std::string message) {
  result_.warnings.push_back(RecordError{index + options_.base_index, offset + options_.base_offset, std::move(field),
                                         std::move(message), {}});
}

void RecordSink::reject_limit(size_t index, size_t offset, std::string_view limit,
                              std::string message) {
  reject(index, offset, "", std::move(message));
  result_.errors.back().limit = std::string(limit);
}

bool RecordSink::reject_if_too_long(size_t index, size_t offset, size_t size,
                                    std::string_view what) {
  if (size <= options_.max_line_bytes) return false;
  reject_limit(index, offset, "max_line_bytes",
               std::string(what) + " is " + std::to_string(size) +
                   " bytes, more than max_line_bytes (" + std::to_string(options_.max_line_bytes) +
                   ")");
  return true;
}

void RecordSink::reject_request(size_t offset, std::string field, std::string message) {
  result_.otlp = true;
  result_.request_unreadable = true;
  reject(0, offset, std::move(field), std::move(message));
}

}  // namespace faultline
