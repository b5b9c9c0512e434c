#include "incidents/revision.h"

namespace faultline {

std::optional<CloudRunRevision> parse_cloud_run_revision(std::string_view name) {
  size_t last = name.rfind('-');
  if (last == std::string_view::npos || last + 1 >= name.size()) return std::nullopt;
  for (char c : name.substr(last + 1))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
  size_t prev = name.rfind('-', last - 1);
  if (last == 0 || prev == std::string_view::npos || prev == 0) return std::nullopt;
  std::string_view digits = name.substr(prev + 1, last - prev - 1);
  if (digits.size() < 5 || digits.size() > 15) return std::nullopt;
  long long number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return CloudRunRevision{std::string(name.substr(0, prev)), number};
}

bool is_newer_revision(std::string_view candidate, const std::vector<std::string>& failing) {
  if (candidate.empty()) return true;
  auto parsed_candidate = parse_cloud_run_revision(candidate);
  for (const std::string& old : failing) {
    if (old.empty()) continue;
    auto parsed_old = parse_cloud_run_revision(old);
    if (parsed_candidate && parsed_old && parsed_candidate->service == parsed_old->service) {
      if (parsed_candidate->number <= parsed_old->number) return false;
    } else if (candidate == old) {
      return false;
    }
  }
  return true;
}

bool is_older_revision(std::string_view revision, std::string_view than) {
  auto a = parse_cloud_run_revision(revision);
  auto b = parse_cloud_run_revision(than);
  return a && b && a->service == b->service && a->number < b->number;
}

}  // namespace faultline
