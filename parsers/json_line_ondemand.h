// The usual JSON line of an application logger (structured.h's read_json_line),
// read without a DOM of it. Internal to parsers/.
//
// Most such lines are flat: a message, a level and a time as strings or
// numbers, beside members that are skipped (validated all the same). Those, and
// Docker's json-file lines, are read here with simdjson's on-demand API. A line
// with an error or stack member (app_record_keys.h: appended to the message
// from objects, arrays and strings), a "log" object, a MongoDB {"$date": …}
// time, a repeated member that is read, or a number the DOM path would read
// differently: false, and read_json_line reads it with the DOM. Whatever this
// reads, the DOM path reads the same (fuzz/structured.cpp checks it).
#pragma once

#include <string_view>

#include "parsers/structured.h"

namespace faultline {

// True with `out` set (Kind::none included: a JSON object that is neither) when
// `object_text`, one JSON object, was read here; false when the DOM path must.
bool read_json_line_ondemand(std::string_view object_text, JsonLine& out);

// read_json_line by the DOM path alone, whatever the line (for the fuzz check).
JsonLine read_json_line_dom(std::string_view line);

}  // namespace faultline
