#include "parsers/msgpack_value.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include <msgpack.hpp>

#include "parsers/utf8.h"

namespace faultline {
namespace {

// Receives msgpack-c's parse events. Containers are Json values already placed
// in their parent, so each element is put where it belongs as it arrives. After
// the first content error nothing more is built, but the walk goes on to the
// value's end so that the caller can still frame the next value.
class JsonBuilder {
 public:
  explicit JsonBuilder(Json* root) : root_(root), building_(root != nullptr) {}

  bool visit_nil() { return put(Json(nullptr)); }
  bool visit_boolean(bool v) { return put(Json(v)); }
  bool visit_positive_integer(uint64_t v) { return put(Json(v)); }
  bool visit_negative_integer(int64_t v) { return put(Json(v)); }
  bool visit_float32(float v) { return put(Json(static_cast<double>(v))); }
  bool visit_float64(double v) { return put(Json(v)); }
  bool visit_str(const char* v, uint32_t size) {
    std::string_view text(v, size);
    if (!building_) return true;
    if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      fail("invalid UTF-8 at byte " + std::to_string(bad) + " of " + (in_key() ? "a map key" : "the string"));
      return true;
    }
    if (in_key()) {
      key_.assign(text);
      return true;
    }
    return put(Json(std::string(text)));
  }
  bool visit_bin(const char* v, uint32_t size) {
    if (!building_ || !no_key("binary")) return true;
    return put(Json::binary(Json::binary_t::container_type(v, v + size)));
  }
  // `v` is the ext type byte, then the payload.
  bool visit_ext(const char* v, uint32_t size) {
    if (!building_ || !no_key("ext")) return true;
    const auto type = static_cast<std::uint8_t>(v[0]);
    return put(Json::binary(Json::binary_t::container_type(v + 1, v + size), type));
  }

  bool start_array(uint32_t) { return open(Json::array(), "an array"); }
  bool start_array_item() { return true; }
  bool end_array_item() { return true; }
  bool end_array() { return close(); }
  bool start_map(uint32_t) { return open(Json::object(), "a map"); }
  bool start_map_key() {
    if (!frames_.empty()) frames_.back().in_key = true;
    return true;
  }
  bool end_map_key() {
    if (!frames_.empty()) frames_.back().in_key = false;
    return true;
  }
  bool start_map_value() { return true; }
  bool end_map_value() { return true; }
  bool end_map() { return close(); }

  void parse_error(size_t, size_t error_offset) {
    status_ = MsgpackRead::Status::invalid;
    error_offset_ = error_offset;
  }
  void insufficient_bytes(size_t, size_t error_offset) {
    status_ = MsgpackRead::Status::truncated;
    error_offset_ = error_offset;
  }
  bool referenced() const { return false; }
  void set_referenced(bool) {}

  bool too_deep() const { return too_deep_; }
  MsgpackRead::Status status() const { return status_; }
  size_t error_offset() const { return error_offset_; }
  const std::optional<FieldError>& content_error() const { return content_error_; }

 private:
  struct Frame {
    Json* container = nullptr;  // nullptr while only walking
    bool in_key = false;
    std::string key;            // the map key this container sits under in its parent, or "[i]"
  };

  bool in_key() const { return !frames_.empty() && frames_.back().in_key; }

  // Keys must be strings: JSON objects, and Fluent Bit's records, have no others.
  bool no_key(const char* what) {
    if (!in_key()) return true;
    fail(std::string("a map key is ") + what + ", expected a string");
    return false;
  }

  // Places `value` in the current container (or as the root); returns a pointer to it there.
  Json* place(Json&& value) {
    if (frames_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Json& parent = *frames_.back().container;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }

  std::string child_name() const {
    if (frames_.empty() || frames_.back().container == nullptr) return "";
    const Json& parent = *frames_.back().container;
    return parent.is_array() ? "[" + std::to_string(parent.size()) + "]" : key_;
  }

  bool put(Json&& value) {
    if (!building_) return true;
    if (in_key()) {
      fail(std::string("a map key is a ") + json_type_name(value) + ", expected a string");
      return true;
    }
    place(std::move(value));
    return true;
  }

  bool open(Json&& container, const char* what) {
    if (frames_.size() >= kMaxMsgpackDepth) {
      too_deep_ = true;
      return false;
    }
    Frame frame;
    if (building_ && in_key()) fail(std::string("a map key is ") + what + ", expected a string");
    if (building_) {
      frame.key = child_name();
      frame.container = place(std::move(container));
    }
    frames_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string path() const {
    std::string out;
    for (size_t i = 1; i < frames_.size(); ++i) {
      const std::string& key = frames_[i].key;
      if (!out.empty() && !key.starts_with('[')) out += '.';
      out += key;
    }
    if (std::string name = child_name(); !in_key() && !name.empty()) {
      if (!out.empty() && !name.starts_with('[')) out += '.';
      out += name;
    }
    return out;
  }

  void fail(std::string message) {
    content_error_ = FieldError{path(), std::move(message)};
    building_ = false;
    for (Frame& frame : frames_) frame.container = nullptr;
  }

  Json* root_;
  bool building_;
  std::vector<Frame> frames_;
  std::string key_;  // the key of the map value being read
  bool too_deep_ = false;
  MsgpackRead::Status status_ = MsgpackRead::Status::ok;
  size_t error_offset_ = 0;
  std::optional<FieldError> content_error_;
};

std::string hex_byte(unsigned char byte) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", byte);
  return text;
}

}  // namespace

MsgpackRead read_msgpack_value(std::string_view body, size_t offset, Json* out) {
  MsgpackRead read;
  JsonBuilder builder(out);
  size_t end = offset;
  const bool parsed = offset < body.size() && msgpack::parse(body.data(), body.size(), end, builder);
  if (builder.too_deep()) {
    read.status = MsgpackRead::Status::too_deep;
    read.error.message = "MessagePack nested deeper than " + std::to_string(kMaxMsgpackDepth) + " levels";
    return read;
  }
  if (!parsed) {
    const bool invalid = offset < body.size() && builder.status() != MsgpackRead::Status::truncated;
    read.status = invalid ? MsgpackRead::Status::invalid : MsgpackRead::Status::truncated;
    read.error_offset = invalid ? std::min(builder.error_offset(), body.size() - 1) : body.size();
    read.error.message =
        invalid ? "invalid MessagePack at byte " + std::to_string(read.error_offset) + ": no value starts with " +
                      hex_byte(static_cast<unsigned char>(body[read.error_offset]))
                : "truncated MessagePack: the body ends at byte " + std::to_string(body.size()) +
                      ", inside the value that starts at byte " + std::to_string(offset);
    return read;
  }
  read.end = end;
  if (const auto& error = builder.content_error()) {
    read.status = MsgpackRead::Status::content;
    read.error = *error;
  }
  return read;
}

}  // namespace faultline
