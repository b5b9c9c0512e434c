// Reading simdjson on-demand values exactly where the DOM path (nlohmann) would
// read the same: what a good-path reader (pubsub_ondemand.h, log_entry_ondemand.h)
// needs so that whatever it accepts, the DOM path accepts with the same meaning.
// Internal to parsers/.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <string_view>

#include <simdjson.h>

namespace faultline::ondemand {

namespace od = simdjson::ondemand;

// Values nested deeper are left to the DOM path (and its limits).
constexpr int kMaxDepth = 64;

// Starts reading `text` as one JSON document whose root is an object. The
// parser reads a few bytes past the end, so `text`'s capacity grows to leave
// room for them; its content stays. False when it is not such a document.
bool open_object(od::parser& parser, std::string& text, od::document& document, od::object& root);

// After the root was read whole: true when nothing follows it. Past the root,
// on-demand has nothing left to hand out; anything after it (which the DOM
// path refuses) leaves the iterator in bounds.
bool at_end(od::document& document);

// Consumes one value whole, so that a skipped member is validated as strictly as
// nlohmann validates it (on-demand otherwise only balances brackets). False on
// anything invalid or nested deeper than kMaxDepth (`depth`: the value's own).
bool consume(od::value value, int depth);

// A string member read once: false for a second one, or one of another type
// (null included: the DOM path reads null as absent, which is the DOM path's
// business). The view lives as long as the document.
bool read_once(od::value value, std::optional<std::string_view>& out);

// Calls `member(key, value)` for each member of `object`; false when a key is
// broken or `member` returns false.
template <typename Member>
bool for_each_field(od::object& object, Member&& member) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    if (!member(key, field.value())) return false;
  }
  return true;
}

// The same over `value`, false when it is not an object.
template <typename Member>
bool for_each_member(od::value value, Member&& member) {
  od::object object;
  if (value.get_object().get(object)) return false;
  return for_each_field(object, member);
}

}  // namespace faultline::ondemand
