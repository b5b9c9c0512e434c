#include "incidents/incident.h"

namespace faultline {

std::string_view to_string(IncidentState state) {
  switch (state) {
    case IncidentState::open: return "open";
    case IncidentState::acknowledged: return "acknowledged";
    case IncidentState::resolved: return "resolved";
  }
  return "open";
}

bool parse_incident_state(std::string_view text, IncidentState& out) {
  if (text == "open") out = IncidentState::open;
  else if (text == "acknowledged") out = IncidentState::acknowledged;
  else if (text == "resolved") out = IncidentState::resolved;
  else return false;
  return true;
}

}  // namespace faultline
