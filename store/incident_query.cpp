#include "store/incident_query.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <tuple>

namespace faultline {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = sextet(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // Leftover bits must be the zero padding base64url() writes, so that each
  // cursor has exactly one spelling.
  if (bits >= 6 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

auto key(const Incident& incident) { return std::tie(incident.opened_at, incident.id); }
auto key(const IncidentCursor& cursor) { return std::tie(cursor.opened_at, cursor.id); }

}  // namespace

std::string encode_cursor(const IncidentCursor& cursor) {
  return base64url(std::to_string(cursor.opened_at.time_since_epoch().count()) + "|" + cursor.id);
}

std::optional<IncidentCursor> decode_cursor(std::string_view text) {
  auto raw = unbase64url(text);
  if (!raw) return std::nullopt;
  auto bar = raw->find('|');
  if (bar == std::string::npos || bar + 1 == raw->size()) return std::nullopt;
  int64_t nanos = 0;
  const char* first = raw->data();
  const char* last = raw->data() + bar;
  auto [end, ec] = std::from_chars(first, last, nanos);
  if (ec != std::errc() || end != last || first == last) return std::nullopt;
  return IncidentCursor{Timestamp{std::chrono::nanoseconds{nanos}}, raw->substr(bar + 1)};
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
