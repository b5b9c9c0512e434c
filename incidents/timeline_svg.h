// The incident as a picture over event time, in SVG: one row per instance with
// its causes, effects, exits and crash-loop marks (incident.timeline), the
// first failure, the moment the crash-loop threshold was reached and automatic
// recoveries as vertical lines, and the revisions as coloured bands behind the
// rows, so that a bad deploy shows as a colour change where the failures start.
//
// One renderer serves the API (GET /api/v1/incidents/{id}/timeline.svg) and the
// web page, which inserts the same SVG inline. Every name in it comes from log
// lines: all text is escaped, and the picture uses presentation attributes only
// (no <style>, no script, no links), so it shows under a strict CSP.
//
// For tests and the page, elements carry classes: g.row[data-instance] per
// row, .mark.<kind> per mark, rect.band[data-revision] per revision band,
// line.first-failure, line.crash-loop, line.recovery.
#pragma once

#include <string>

#include "incidents/incident.h"

namespace faultline {

// At most this many instance rows; the rest are counted in a note.
inline constexpr size_t kTimelineMaxRows = 40;

std::string timeline_svg(const Incident& incident);

}  // namespace faultline
