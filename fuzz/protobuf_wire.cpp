// Fuzz target: codec/protobuf_wire.h's reader, on any bytes as a message.
// Every length-delimited field is also read as a nested message (a few levels
// down), as a decoder does with the fields it knows. Checked: offsets and
// payloads stay inside the input, a failed reader names an offset inside it
// and stays failed, and what was read, written again with WireWriter and read
// back, is the same fields.
#include <vector>

#include "codec/protobuf_wire.h"
#include "fuzz/fuzz_support.h"

namespace {

using faultline::fuzz::require;
using namespace faultline::protobuf;

constexpr int kMaxDepth = 4;

void read_message(std::string_view input, WireReader reader, int depth) {
  std::vector<Field> fields;
  Field field;
  size_t previous = reader.position();
  while (reader.next(field)) {
    require(field.offset == previous, "a field that does not start where the last one ended");
    require(field.offset < input.size(), "a field offset beyond the input");
    require(reader.position() <= input.size(), "a position beyond the input");
    require(field.number >= 1 && field.number <= kMaxFieldNumber, "a field number out of range");
    if (field.type == WireType::len) {
      require(field.bytes_offset + field.bytes.size() <= input.size(), "a payload beyond the input");
      require(field.bytes.data() == input.data() + field.bytes_offset, "a payload that is not where it says");
      if (depth < kMaxDepth) read_message(input, WireReader::nested(field), depth + 1);
    }
    previous = reader.position();
    fields.push_back(field);
  }
  if (reader.failed()) {
    require(reader.error().offset < input.size(), "an error offset beyond the input");
    require(!reader.error().message.empty(), "an error without a message");
    require(!reader.next(field), "a failed reader that reads on");
  }

  WireWriter writer;
  for (const Field& f : fields) {
    switch (f.type) {
      case WireType::varint: writer.varint_field(f.number, f.value); break;
      case WireType::i64: writer.fixed64_field(f.number, f.value); break;
      case WireType::i32: writer.fixed32_field(f.number, static_cast<uint32_t>(f.value)); break;
      case WireType::len: writer.bytes_field(f.number, f.bytes); break;
      default: faultline::fuzz::fail("a group field was handed over");
    }
  }
  WireReader again(writer.data());
  size_t i = 0;
  while (again.next(field)) {
    require(i < fields.size(), "the rewritten message has more fields");
    const Field& f = fields[i++];
    require(field.number == f.number && field.type == f.type && field.value == f.value && field.bytes == f.bytes,
            "a field that does not survive writing and reading again");
  }
  require(!again.failed(), "the rewritten message does not read: " + again.error().message);
  require(i == fields.size(), "the rewritten message has fewer fields");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = faultline::fuzz::bytes(data, size);
  read_message(input, WireReader(input), 0);
  return 0;
}
