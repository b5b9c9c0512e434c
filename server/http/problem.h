// RFC 7807 problem details: every 4xx/5xx the daemon sends is
// `application/problem+json` (but for OTLP log exports, which are answered in
// OTLP's terms: server/otlp_response.h) with {type, title, status, detail} and, where they
// apply, the fields a client needs to fix its request: "limit" (the setting and
// its value), "field" (JSON path of the bad field), "offset" (byte in the body),
// "errors" (one entry per bad record), "accepted" (content types).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace faultline {

struct Problem {
  int status = 500;
  std::string slug;    // becomes the type URI "urn:faultline:problem:<slug>"
  std::string title;   // short, the same for every occurrence of this kind
  std::string detail;  // this occurrence, in a sentence
  nlohmann::json extra = nlohmann::json::object();  // extension members

  Problem& with(std::string key, nlohmann::json value) {
    extra[std::move(key)] = std::move(value);
    return *this;
  }
  nlohmann::json to_json() const;
};

inline constexpr std::string_view kProblemContentType = "application/problem+json";

}  // namespace faultline
