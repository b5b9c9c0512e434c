// Prefilter: a cheap necessary condition for any rule of a set to match, so that
// the RE2::Set's DFA (about 7 ns/byte here, whatever the patterns) runs only on
// the few records that might match. Nearly every log line matches nothing.
//
// For each pattern, RE2's FilteredRE2 gives the literal "atoms" (lower-cased)
// that its matches contain, as an AND/OR formula. From them we keep, per
// pattern, a small set of long atoms of which every match must contain at least
// one (dropping short, common atoms while that still holds). A text that holds
// none of the kept atoms, compared ASCII case-insensitively, matches no pattern.
//
// The scan hashes 4-byte windows of the text into a bitset that holds windows
// of every atom (independent loads, no DFA state), and compares whole atoms only
// where a window hits. It probes every `stride`-th position: an atom of length L
// registers `stride` consecutive windows, so with stride <= L - 3 one of them
// lies on a probed position wherever the atom occurs. The stride is 4 when
// every atom has 7 bytes or more.
//
// Immutable after build(); may_match() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace faultline {

class Prefilter {
 public:
  // Null when some pattern has no usable atom (no literal of at least 4 bytes
  // that every match contains, or only non-ASCII ones): then every text must go
  // to the set, and a prefilter would only cost time. With no patterns at all,
  // may_match() is always false.
  static std::unique_ptr<const Prefilter> build(const std::vector<std::string>& patterns,
                                                const RE2::Options& options);

  // False only if no pattern can match `text`.
  bool may_match(std::string_view text) const;

  // The atoms searched for (lower-case ASCII, distinct), for diagnostics and tests.
  const std::vector<std::string>& atoms() const { return atoms_; }

 private:
  static constexpr int kHashBits = 17;
  struct Entry {
    uint32_t atom;    // index into atoms_
    uint32_t offset;  // where the hashed window starts inside the atom
  };

  Prefilter() = default;
  static uint32_t hash(uint32_t folded_window) { return (folded_window * 2654435761u) >> (32 - kHashBits); }
  bool verify(std::string_view text, size_t window_pos, uint32_t bucket) const;

  std::vector<std::string> atoms_;
  size_t stride_ = 1;
  std::vector<uint64_t> bits_;       // 2^kHashBits bits: some atom's window hashes here
  std::vector<uint32_t> bucket_begin_;  // CSR index into entries_, 2^kHashBits + 1
  std::vector<Entry> entries_;
};

}  // namespace faultline
