// What a JSON record's surroundings add to it: the caller's defaults, inside a
// Pub/Sub envelope the message's id and publish time, and in Fluent Bit's
// MessagePack events the event's time. Internal to parsers/.
#pragma once

#include <optional>
#include <string_view>

#include "parsers/parse.h"
#include "parsers/timestamp.h"

namespace faultline {

struct RecordContext {
  const ParseOptions& options;
  std::string_view message_id{};            // Pub/Sub messageId; source_id when the record has none
  std::optional<Timestamp> publish_time{};  // Pub/Sub publishTime; the last time before arrival
  // A shipper's own time for the record (Fluent Bit's event timestamp): the
  // record's time unless the record names one itself, as if it were a member.
  std::optional<Timestamp> event_time{};
};

}  // namespace faultline
