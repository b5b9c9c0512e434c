// Reads a Loki push JSON body on stdin and writes the body Promtail would send
// for the same streams: the PushRequest protobuf, snappy-compressed. For
// bench/loki_batches.sh, which posts both forms of one batch.
//
//   loki_protobuf_body < push.json > push.pb.snappy
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/protobuf_wire.h"
#include "parsers/snappy.h"

int main() {
  using faultline::protobuf::WireWriter;
  const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  const auto push = nlohmann::json::parse(input);
  WireWriter request;
  for (const auto& stream : push.at("streams")) {
    // labels.String(): sorted (a JSON object is), ", " between, Go-quoted values.
    std::string labels = "{";
    for (const auto& [name, value] : stream.at("stream").items()) {
      if (labels.size() > 1) labels += ", ";
      labels += name + "=" + nlohmann::json(value).dump();
    }
    labels += "}";
    WireWriter out;
    out.bytes_field(1, labels);
    for (const auto& value : stream.at("values")) {
      const long long nanos = std::stoll(value.at(0).get<std::string>());
      WireWriter time, entry;
      time.varint_field(1, static_cast<uint64_t>(nanos / 1000000000));
      time.varint_field(2, static_cast<uint64_t>(nanos % 1000000000));
      entry.bytes_field(1, time.data());
      entry.bytes_field(2, value.at(1).get<std::string>());
      out.bytes_field(2, entry.data());
    }
    request.bytes_field(1, out.data());
  }
  const std::string body = faultline::snappy_compress(request.data());
  std::cout.write(body.data(), static_cast<std::streamsize>(body.size()));
  return std::cout.good() ? 0 : 1;
}
