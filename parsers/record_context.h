// What a JSON record's surroundings add to it: the caller's defaults and, inside
// a Pub/Sub envelope, the message's id and publish time. Internal to parsers/.
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
};

}  // namespace faultline
