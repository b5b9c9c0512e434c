// The members an application's JSON record is read from (structured.h), in the
// order they are tried, shared by the DOM reader and the on-demand one
// (json_line_ondemand.h) so that the two cannot drift apart. Internal to parsers/.
#pragma once

#include <array>
#include <string_view>

namespace faultline::app_record_keys {

// The message: the first of these that is a string.
inline constexpr std::array<std::string_view, 7> kMessage = {"msg", "message", "event", "@m", "Message", "@mt", "log"};
// The level: the first of these whose value names one (then "log": {"level": …},
// then MongoDB's "s" beside its "t").
inline constexpr std::array<std::string_view, 8> kLevel = {"level", "severity", "lvl", "levelname",
                                                           "log.level", "@l", "LogLevel", "loglevel"};
// The time: the first of these that reads as one.
inline constexpr std::array<std::string_view, 9> kTime = {"time", "timestamp", "ts", "@timestamp", "@t",
                                                          "Timestamp", "date", "asctime", "t"};
// Errors and stacks appended to the message (an error object, a string, frames).
inline constexpr std::array<std::string_view, 9> kError = {"err", "error", "exception", "exc_info", "@x",
                                                           "Exception", "stack_trace", "stacktrace", "stack"};
// ECS's flat error members.
inline constexpr std::array<std::string_view, 3> kEcsError = {"error.type", "error.message", "error.stack_trace"};

}  // namespace faultline::app_record_keys
