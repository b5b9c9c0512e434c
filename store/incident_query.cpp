#include "store/incident_query.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <tuple>

#include "codec/base64.h"

namespace faultline {
namespace {

auto key(const Incident& incident) { return std::tie(incident.opened_at, incident.id); }
auto key(const IncidentCursor& cursor) { return std::tie(cursor.opened_at, cursor.id); }

}  // namespace

std::string encode_cursor(const IncidentCursor& cursor) {
  return base64_encode(std::to_string(cursor.opened_at.time_since_epoch().count()) + "|" + cursor.id,
                       Base64Alphabet::url);
}

std::optional<IncidentCursor> decode_cursor(std::string_view text) {
  // Strict base64url: anything encode_cursor did not write is refused.
  std::string raw;
  Base64Error error;
  if (!base64_decode(text, raw, error, Base64Alphabet::url)) return std::nullopt;
  auto bar = raw.find('|');
  if (bar == std::string::npos || bar + 1 == raw.size()) return std::nullopt;
  int64_t nanos = 0;
  const char* first = raw.data();
  const char* last = raw.data() + bar;
  auto [end, ec] = std::from_chars(first, last, nanos);
  if (ec != std::errc() || end != last || first == last) return std::nullopt;
  return IncidentCursor{Timestamp{std::chrono::nanoseconds{nanos}}, raw.substr(bar + 1)};
}

bool matches(const IncidentQuery& query, const Incident& incident) {
  if (query.state && incident.state != *query.state) return false;
  if (query.service && incident.service != *query.service) return false;
  if (query.since && incident.opened_at < *query.since) return false;
  if (query.after && !(key(*query.after) < key(incident))) return false;
  return true;
}

IncidentPage select_incidents(const std::vector<Incident>& incidents, const IncidentQuery& query) {
  const size_t limit = std::max<size_t>(query.limit, 1);
  auto it = incidents.begin();
  if (query.after)
    it = std::upper_bound(incidents.begin(), incidents.end(), *query.after,
                          [](const IncidentCursor& c, const Incident& i) { return key(c) < key(i); });
  IncidentPage page;
  for (; it != incidents.end(); ++it) {
    if (!matches(query, *it)) continue;
    if (page.incidents.size() == limit) {
      const Incident& last = page.incidents.back();
      page.next = IncidentCursor{last.opened_at, last.id};
      break;
    }
    page.incidents.push_back(*it);
  }
  return page;
}

}  // namespace faultline
