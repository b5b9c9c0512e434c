// Percent-decoding (RFC 3986 §2.1), the one decoder for request targets, query
// parameters and the log ids inside Cloud Logging's logName.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// nullopt when a '%' is not followed by two hex digits. `plus_is_space`: '+'
// means ' ', as in form-encoded query strings (never in paths).
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace faultline
