// Test support: LogRecords from the corpus, built here rather than by parsers/
// so the rules tests depend on nothing but the corpus files. Mirrors the parsers'
// LogRecord mapping: text = textPayload, else jsonPayload.message, else (request logs)
// "<METHOD> <status> <url>", else the compact JSON of protoPayload.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "parsers/log_record.h"
#include "parsers/timestamp.h"

namespace faultline::test {

inline std::string corpus_path(const std::string& relative) { return std::string(FAULTLINE_CORPUS) + "/" + relative; }

inline std::string stream_of(const std::string& log_name) {
  if (log_name.find("cloudaudit") != std::string::npos) return "audit";
  const size_t slash = log_name.rfind("%2F");
  return slash == std::string::npos ? std::string() : log_name.substr(slash + 3);
}

inline LogRecord record_from_entry(const nlohmann::json& entry) {
  LogRecord record;
  const auto text = [&](const nlohmann::json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
  };
  record.severity = text(entry, "severity");
  record.stream = stream_of(text(entry, "logName"));
  record.source_id = text(entry, "insertId") + "|" + text(entry, "logName");
  if (auto time = parse_rfc3339(text(entry, "timestamp"))) record.time = *time;
  if (entry.contains("resource")) {
    const nlohmann::json& resource = entry["resource"];
    record.resource_type = text(resource, "type");
    if (resource.contains("labels")) {
      const nlohmann::json& labels = resource["labels"];
      record.service = text(labels, labels.contains("container_name") ? "container_name" : "service_name");
      record.revision = text(labels, "revision_name");
    }
  }
  if (entry.contains("labels")) record.instance = text(entry["labels"], "instanceId");
  if (entry.contains("textPayload")) {
    record.text = text(entry, "textPayload");
  } else if (entry.contains("jsonPayload")) {
    record.text = text(entry["jsonPayload"], "message");
  } else if (entry.contains("httpRequest")) {
    const nlohmann::json& request = entry["httpRequest"];
    record.http_status = request.value("status", 0);
    record.text = text(request, "requestMethod") + " " + std::to_string(record.http_status) + " " +
                  text(request, "requestUrl");
  } else if (entry.contains("protoPayload")) {
    record.text = entry["protoPayload"].dump();
  }
  return record;
}

// Every LogEntry of a failures/ scenario, in file order.
inline std::vector<LogRecord> scenario_records(const std::string& file) {
  std::ifstream in(corpus_path("failures/" + file));
  REQUIRE_MESSAGE(in, "cannot open scenario " << file);
  std::vector<LogRecord> records;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    records.push_back(record_from_entry(nlohmann::json::parse(line)));
  }
  return records;
}

// The lines of a text file, without their CR/LF.
inline std::vector<std::string> text_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

}  // namespace faultline::test
