#include "parsers/ondemand_json.h"

#include <utility>

namespace faultline::ondemand {

bool open_object(od::parser& parser, std::string& text, od::document& document, od::object& root) {
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  return !parser.iterate(simdjson::padded_string_view(text.data(), text.size(), text.capacity())).get(document) &&
         !document.get_object().get(root);
}

bool at_end(od::document& document) {
  const char* after = nullptr;
  return document.current_location().get(after) == simdjson::OUT_OF_BOUNDS;
}

bool consume(od::value value, int depth) {
  if (depth > kMaxDepth) return false;
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object:
      return for_each_member(value, [&](std::string_view, od::value member) { return consume(member, depth + 1); });
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        od::value item;
        if (std::move(element).get(item) || !consume(item, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      return !value.get_string().get(text);
    }
    case od::json_type::number: {
      od::number number;
      return !value.get_number().get(number);
    }
    case od::json_type::boolean: {
      bool flag;
      return !value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool null = false;
      return !value.is_null().get(null) && null;
    }
  }
  return false;
}

bool read_once(od::value value, std::optional<std::string_view>& out) {
  if (out) return false;
  std::string_view text;
  if (value.get_string().get(text)) return false;
  out = text;
  return true;
}

}  // namespace faultline::ondemand
