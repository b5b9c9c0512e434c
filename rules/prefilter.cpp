#include "rules/prefilter.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>

#include <re2/filtered_re2.h>

namespace faultline {
namespace {

constexpr size_t kWindow = 4;

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// OR-ing 0x20 into every byte folds ASCII case (and merges a few punctuation
// pairs, which only adds candidates); text and atoms are folded the same way.
uint32_t folded_window(const char* bytes) {
  uint32_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word | 0x20202020u;
}

// How often a byte occurs in log text, roughly: windows of rare bytes make few
// false hits.
int commonness(char c) {
  if (c == ' ') return 10;
  if (std::strchr("etaoinsr", c) != nullptr) return 8;
  if (c >= '0' && c <= '9') return 6;
  if (c >= 'a' && c <= 'z') return 5;
  return 2;
}

constexpr size_t kMaxStride = 4;

// The first of `count` consecutive windows of `atom` whose bytes are rarest.
size_t rarest_windows(const std::string& atom, size_t count) {
  size_t best = 0;
  int best_score = 1 << 30;
  for (size_t first = 0; first + count - 1 + kWindow <= atom.size(); ++first) {
    int score = 0;
    for (size_t i = 0; i < count - 1 + kWindow; ++i) score += commonness(atom[first + i]);
    if (score < best_score) {
      best_score = score;
      best = first;
    }
  }
  return best;
}

// The atoms of which every match of `pattern` contains at least one, or none when
// no such set exists. FilteredRE2 answers "could the pattern match if exactly
// these atoms were present?"; an atom set H is necessary when the answer is no
// for "everything but H". Starting from all ASCII atoms (non-ASCII ones are
// treated as always present: ASCII folding cannot compare them), drop the
// shortest while H stays necessary, so the long, selective atoms remain.
std::vector<std::string> necessary_atoms(const std::string& pattern, const RE2::Options& options) {
  re2::FilteredRE2 filter(static_cast<int>(kWindow));
  int id = 0;
  if (filter.Add(pattern, options, &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return {};

  std::vector<bool> kept(atoms.size());
  for (size_t i = 0; i < atoms.size(); ++i) kept[i] = is_ascii(atoms[i]);
  auto necessary = [&] {
    std::vector<int> present;
    for (size_t i = 0; i < atoms.size(); ++i)
      if (!kept[i]) present.push_back(static_cast<int>(i));
    std::vector<int> passing;
    filter.AllPotentials(present, &passing);
    return passing.empty();
  };
  if (!necessary()) return {};

  std::vector<size_t> order(atoms.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return atoms[a].size() < atoms[b].size(); });
  for (size_t i : order) {
    if (!kept[i]) continue;
    kept[i] = false;
    if (!necessary()) kept[i] = true;
  }
  std::vector<std::string> result;
  for (size_t i = 0; i < atoms.size(); ++i)
    if (kept[i]) result.push_back(atoms[i]);
  return result;
}

}  // namespace

std::unique_ptr<const Prefilter> Prefilter::build(const std::vector<std::string>& patterns,
                                                  const RE2::Options& options) {
  std::unique_ptr<Prefilter> prefilter(new Prefilter());
  for (const std::string& pattern : patterns) {
    std::vector<std::string> atoms = necessary_atoms(pattern, options);
    if (atoms.empty()) return nullptr;
    for (std::string& atom : atoms)
      if (std::find(prefilter->atoms_.begin(), prefilter->atoms_.end(), atom) == prefilter->atoms_.end())
        prefilter->atoms_.push_back(std::move(atom));
  }

  size_t shortest = kWindow + kMaxStride - 1;
  for (const std::string& atom : prefilter->atoms_) shortest = std::min(shortest, atom.size());
  prefilter->stride_ = shortest - kWindow + 1;

  std::vector<std::pair<uint32_t, Entry>> windows;
  for (size_t i = 0; i < prefilter->atoms_.size(); ++i) {
    const std::string& atom = prefilter->atoms_[i];
    const size_t first = rarest_windows(atom, prefilter->stride_);
    for (size_t offset = first; offset < first + prefilter->stride_; ++offset)
      windows.push_back({hash(folded_window(atom.data() + offset)),
                         Entry{static_cast<uint32_t>(i), static_cast<uint32_t>(offset)}});
  }
  std::sort(windows.begin(), windows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  constexpr size_t kBuckets = size_t{1} << kHashBits;
  prefilter->bits_.assign(kBuckets / 64, 0);
  prefilter->bucket_begin_.assign(kBuckets + 1, 0);
  for (const auto& [bucket, entry] : windows) {
    prefilter->bits_[bucket >> 6] |= uint64_t{1} << (bucket & 63);
    ++prefilter->bucket_begin_[bucket + 1];
    prefilter->entries_.push_back(entry);
  }
  for (size_t i = 1; i <= kBuckets; ++i) prefilter->bucket_begin_[i] += prefilter->bucket_begin_[i - 1];
  return prefilter;
}

bool Prefilter::verify(std::string_view text, size_t window_pos, uint32_t bucket) const {
  for (uint32_t e = bucket_begin_[bucket]; e < bucket_begin_[bucket + 1]; ++e) {
    const Entry& entry = entries_[e];
    if (window_pos < entry.offset) continue;
    const std::string& atom = atoms_[entry.atom];
    const size_t start = window_pos - entry.offset;
    if (start + atom.size() > text.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < atom.size() && equal; ++i) equal = ascii_lower(text[start + i]) == atom[i];
    if (equal) return true;
  }
  return false;
}

bool Prefilter::may_match(std::string_view text) const {
  if (text.size() < kWindow) return false;  // every atom is at least one window long
  const char* data = text.data();
  const uint64_t* bits = bits_.data();
  const size_t last = text.size() - kWindow;
  const size_t stride = stride_;
  // Every occurrence of an atom covers `stride` consecutive registered windows,
  // all inside the text, so one of them starts on a probed position <= last.
  for (size_t pos = 0; pos <= last; pos += stride) {
    const uint32_t bucket = hash(folded_window(data + pos));
    if ((bits[bucket >> 6] >> (bucket & 63)) & 1u) {
      if (verify(text, pos, bucket)) return true;
    }
  }
  return false;
}

}  // namespace faultline
