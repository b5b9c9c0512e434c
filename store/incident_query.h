// IncidentQuery: the filter and keyset pagination of GET /api/v1/incidents,
// defined once so that the in-memory path (select_incidents over the Pipeline's
// snapshot, what the daemon serves) and SqliteStore::query (a store file read
// without a daemon) give the same pages.
//
// Order is (opened_at, id) ascending, the Pipeline snapshot's order. A cursor is
// the (opened_at, id) of the last incident of a page; the next page starts after
// it, so pages stay stable while incidents are added or change state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "incidents/incident.h"

namespace faultline {

struct IncidentCursor {
  Timestamp opened_at{};
  std::string id;
  bool operator==(const IncidentCursor&) const = default;
};

struct IncidentQuery {
  std::optional<IncidentState> state;  // nullopt: every state ("all")
  std::optional<std::string> service;  // exact service name
  std::optional<Timestamp> since;      // opened at or after
  size_t limit = 100;                  // incidents per page; 0 is treated as 1
  std::optional<IncidentCursor> after; // from the previous page's `next`
};

struct IncidentPage {
  std::vector<Incident> incidents;
  std::optional<IncidentCursor> next;  // set when more incidents may follow
};

// Opaque, URL-safe (base64url, no padding) form of a cursor for `?cursor=`.
std::string encode_cursor(const IncidentCursor& cursor);
// nullopt for anything encode_cursor did not produce: the API answers 400.
std::optional<IncidentCursor> decode_cursor(std::string_view text);

bool matches(const IncidentQuery& query, const Incident& incident);
// `incidents` in (opened_at, id) order, as Pipeline::incidents() returns them.
IncidentPage select_incidents(const std::vector<Incident>& incidents, const IncidentQuery& query);

}  // namespace faultline
