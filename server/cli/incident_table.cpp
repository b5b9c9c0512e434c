#include "server/cli/incident_table.h"

#include <algorithm>
#include <sstream>

namespace faultline {
namespace {

std::string primary_detail(const RootCause& cause) {
  std::string out;
  for (const auto& [name, value] : cause.captures) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value;
  }
  return out;
}

std::string pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// Leads the DETAIL column, where a bad deploy is the first thing to act on.
std::string bad_deploy_marker(const Incident& i) {
  return i.deploy && i.deploy->bad_deploy ? "BAD DEPLOY " : "";
}

}  // namespace

std::string render_incident_table(const std::vector<Incident>& incidents) {
  std::ostringstream out;
  if (incidents.empty()) {
    out << "No incidents.\n";
    return out.str();
  }
  const std::vector<std::string> header = {"SERVICE", "ROOT CAUSE", "STATE", "SEVERITY", "EXITS", "LOOP", "OPENED", "DETAIL"};
  std::vector<std::vector<std::string>> rows;
  for (const Incident& i : incidents) {
    rows.push_back({i.service, i.root_cause.rule, std::string(to_string(i.state)), std::string(to_string(i.severity)),
                    std::to_string(i.exits), i.crash_loop ? "yes" : "no", format_rfc3339(i.opened_at),
                    bad_deploy_marker(i) + primary_detail(i.root_cause)});
  }
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    widths[c] = header[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += c + 1 < row.size() ? pad(row[c], widths[c] + 2) : row[c];
    out << line << '\n';
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);

  for (const Incident& i : incidents) {
    out << "\n" << i.service << ": " << i.summary << "  [" << i.id << "]\n";
    for (const ChainLink& link : i.chain) {
      out << "  " << pad(std::string(to_string(link.kind)), 8) << pad(link.rule, 34) << "x" << link.count << "  "
          << link.sample.substr(0, 120) << '\n';
    }
    if (i.root_cause.frame) {
      const Frame& f = *i.root_cause.frame;
      out << "  culprit " << f.file << ":" << f.line << " in " << f.function << '\n';
    }
    if (!i.revisions.empty()) {
      out << "  revisions";
      for (const auto& r : i.revisions) out << ' ' << r;
      out << '\n';
    }
    if (i.deploy && i.deploy->bad_deploy) {
      out << "  bad deploy: first seen on " << i.deploy->revision << ", "
          << i.deploy->previous_revision.value_or("?") << " before it was healthy\n";
      if (i.deploy->rollback_hint) out << "  rollback: " << *i.deploy->rollback_hint << '\n';
    }
    if (i.resolved_at) {
      out << "  resolved " << format_rfc3339(*i.resolved_at) << " by " << i.resolved_by.value_or("?");
      if (i.resolved_by_revision) out << " (revision " << *i.resolved_by_revision << ")";
      out << '\n';
    }
    if (!i.hint.empty()) out << "  hint: " << i.hint << '\n';
    if (!i.suspects.empty()) {
      out << "  suspect lines (no rule knows the cause; the last error lines before the crash):\n";
      for (const SuspectLine& s : i.suspects)
        out << "    " << (s.count > 1 ? "x" + std::to_string(s.count) + " " : "")
            << (s.instance.empty() ? "" : s.instance + ": ") << s.line.substr(0, 160) << '\n';
    }
  }
  return out.str();
}

}  // namespace faultline
