#include "incidents/timeline_svg.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "codec/units.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

constexpr double kWidth = 960, kPlotLeft = 200, kPlotRight = 940;
constexpr double kLegendHeight = 24, kBandLabelHeight = 18, kOverlayLabelHeight = 15, kRowHeight = 22,
                 kAxisHeight = 40;
constexpr size_t kLabelChars = 24;  // an instance label longer than this is shortened
constexpr double kCharWidth = 6.2;  // average width of an 11 px sans-serif character

constexpr std::string_view kCauseColor = "#c62828", kEffectColor = "#ef8f00", kExitColor = "#263238",
                           kLoopColor = "#7b1fa2", kRecoveryColor = "#2e7d32";
constexpr std::string_view kHealthyBand = "#d7eed7", kUnknownBand = "#e4e4e4", kBadDeployBand = "#f8d4d0";
constexpr std::array<std::string_view, 5> kBandColors = {"#dde7f7", "#ece0f5", "#f6ebcc", "#d6eeec", "#f2e0d2"};

// Text for an SVG element or attribute: markup characters escaped, control
// characters (which XML 1.0 forbids) and bytes that are not UTF-8 replaced.
std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t bad = find_invalid_utf8(text);
    const std::string_view good = text.substr(0, bad);
    for (char c : good) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += "\xEF\xBF\xBD";
          else out += c;
      }
    }
    if (bad == std::string_view::npos) break;
    out += "\xEF\xBF\xBD";
    text.remove_prefix(bad + 1);
  }
  return out;
}

// Characters, not bytes: a cut never splits one.
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// "0069c7a91af8…66738d94": the start and the end of a long id, which is what
// people compare.
std::string shorten_middle(std::string_view text, size_t max_chars) {
  auto chars = characters(text);
  if (chars.size() <= max_chars) return std::string(text);
  const size_t head = (max_chars - 1) / 2, tail = max_chars - 1 - head;
  std::string out;
  for (size_t i = 0; i < head; ++i) out += chars[i];
  out += "\u2026";
  for (size_t i = chars.size() - tail; i < chars.size(); ++i) out += chars[i];
  return out;
}

std::string shorten_end(std::string_view text, size_t max_chars) {
  auto chars = characters(text);
  if (chars.size() <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  std::string out;
  for (size_t i = 0; i + 1 < max_chars; ++i) out += chars[i];
  return out + "\u2026";
}

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

int64_t millis(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "10:01:05.789" (with_millis), "10:01:05", "10:01" or "11-07 10:01", in UTC.
std::string clock_text(int64_t ms, bool with_seconds, bool with_millis, bool with_date = false) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buffer[48];
  int n = 0;
  if (with_date)
    n = std::snprintf(buffer, sizeof buffer, "%02u-%02u ", static_cast<unsigned>(ymd.month()),
                      static_cast<unsigned>(ymd.day()));
  n += std::snprintf(buffer + n, sizeof buffer - static_cast<size_t>(n), "%02d:%02d",
                     static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  if (with_seconds)
    n += std::snprintf(buffer + n, sizeof buffer - static_cast<size_t>(n), ":%02d",
                       static_cast<int>(hms.seconds().count()));
  if (with_millis)
    std::snprintf(buffer + n, sizeof buffer - static_cast<size_t>(n), ".%03d",
                  static_cast<int>(hms.subseconds().count()));
  return buffer;
}

std::string date_text(int64_t ms) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_time<milliseconds>{milliseconds(ms)})};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u UTC", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

struct Band {
  std::string revision;
  int64_t start = 0;
  std::string_view color;
  std::string label;
};

struct Overlay {
  std::string_view cls, color, dash;
  double width = 1.5;
  int64_t at = 0;
  std::string label, title;
};

class Picture {
 public:
  explicit Picture(const Incident& incident) : inc_(incident) {
    collect_rows();
    collect_overlays();
    collect_range();
    collect_bands();
  }

  std::string render() {
    const double rows_top =
        kLegendHeight + kBandLabelHeight + kOverlayLabelHeight * static_cast<double>(overlay_rows()) + 4;
    const double rows_bottom = rows_top + kRowHeight * static_cast<double>(std::max<size_t>(rows_.size(), 1));
    const double height = rows_bottom + kAxisHeight + (hidden_rows_ ? 14 : 0);
    std::string description = inc_.service + ": " + inc_.root_cause.rule + ", " +
                              std::to_string(inc_.instances.size()) + " instance(s), " +
                              std::to_string(inc_.revisions.size()) + " revision(s)";
    out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"incident-timeline\" viewBox=\"0 0 " + num(kWidth) +
            " " + num(height) + "\" width=\"" + num(kWidth) + "\" height=\"" + num(height) +
            "\" role=\"img\" aria-label=\"" + esc("Timeline of " + description) +
            "\" font-family=\"system-ui, sans-serif\" font-size=\"11\" fill=\"#222\">";
    out_ += "<title>" + esc("Timeline of " + description) + "</title>";
    out_ += "<rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" + num(height) + "\" fill=\"#fff\"/>";
    legend();
    bands(kLegendHeight, rows_bottom);
    overlays(kLegendHeight + kBandLabelHeight, rows_bottom);
    rows(rows_top);
    axis(rows_bottom);
    if (hidden_rows_)
      text(kPlotLeft, rows_bottom + kAxisHeight + 6, "start", "#555",
           "+" + std::to_string(hidden_rows_) + " more instances not drawn");
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  // Rows: the incident's instances in order of first appearance, then one for
  // marks without an instance.
  void collect_rows() {
    const size_t drawn = std::min(inc_.instances.size(), kTimelineMaxRows);
    for (size_t i = 0; i < drawn; ++i) rows_.push_back(inc_.instances[i]);
    hidden_rows_ = inc_.instances.size() - drawn;
    for (const TimelineMark& mark : inc_.timeline)
      if (mark.instance() >= inc_.instances.size()) no_instance_row_ = true;
    if (no_instance_row_ || rows_.empty()) {
      no_instance_row_ = true;
      rows_.push_back("");
    }
  }

  std::optional<size_t> row_of(const TimelineMark& mark) const {
    if (mark.instance() < inc_.instances.size())
      return mark.instance() < kTimelineMaxRows ? std::optional<size_t>(mark.instance()) : std::nullopt;
    return rows_.size() - 1;  // the row without an instance
  }

  std::string revision_of(const TimelineMark& mark) const {
    return mark.revision() < inc_.revisions.size() ? inc_.revisions[mark.revision()] : std::string();
  }

  void collect_overlays() {
    first_failure_ = Overlay{"first-failure", kCauseColor, "5 3", 1.5, millis(inc_.opened_at),
                             "first failure " + clock_text(millis(inc_.opened_at), true, false),
                             "First failure at " + format_rfc3339(inc_.opened_at)};
    for (const HistoryEntry& entry : inc_.history) {
      if (entry.action == "crash_loop")
        loops_.push_back(Overlay{"crash-loop", kLoopColor, "2 2", 2, millis(entry.at),
                                 "crash loop " + clock_text(millis(entry.at), true, false),
                                 "Crash-loop threshold reached at " + format_rfc3339(entry.at) +
                                     (entry.note.empty() ? "" : ": " + entry.note)});
      // Automatic resolutions are dated at the recovery's event time; one by
      // hand is wall-clock time and has no place on this axis.
      if (entry.action == "resolved" && entry.by == "auto")
        recoveries_.push_back(Overlay{"recovery", kRecoveryColor, "", 2, millis(entry.at),
                                      "recovered " + clock_text(millis(entry.at), true, false),
                                      "Recovered at " + format_rfc3339(entry.at) +
                                          (entry.note.empty() ? "" : ": " + entry.note)});
    }
  }

  size_t overlay_rows() const { return 1 + (loops_.empty() ? 0 : 1) + (recoveries_.empty() ? 0 : 1); }

  void collect_range() {
    int64_t lo = millis(inc_.opened_at), hi = std::max(lo, millis(inc_.last_seen));
    auto widen = [&](int64_t t) {
      lo = std::min(lo, t);
      hi = std::max(hi, t);
    };
    for (const TimelineMark& mark : inc_.timeline) widen(mark.at_ms());
    for (const Overlay& o : loops_) widen(o.at);
    for (const Overlay& o : recoveries_) widen(o.at);
    if (inc_.deploy && inc_.deploy->revision_first_seen) widen(millis(*inc_.deploy->revision_first_seen));
    const int64_t span = std::max<int64_t>(hi - lo, 1000);
    // Room before the first event for the revision that ran before it.
    const bool previous = inc_.deploy && inc_.deploy->previous_revision;
    start_ = lo - std::max<int64_t>(span * (previous ? 20 : 3) / 100, previous ? 1000 : 200);
    end_ = hi + std::max<int64_t>(span * 3 / 100, 200);
  }

  double x(int64_t ms) const {
    return kPlotLeft + (kPlotRight - kPlotLeft) * static_cast<double>(ms - start_) / static_cast<double>(end_ - start_);
  }

  // A band per revision from the first mark on it (the deploy's own revision
  // from when it was first seen), each until the next one starts; before them,
  // the revision deployed before, when known.
  void collect_bands() {
    std::vector<std::optional<int64_t>> first(inc_.revisions.size());
    for (const TimelineMark& mark : inc_.timeline)
      if (mark.revision() < first.size() && (!first[mark.revision()] || mark.at_ms() < *first[mark.revision()]))
        first[mark.revision()] = mark.at_ms();
    const DeployInfo* deploy = inc_.deploy ? &*inc_.deploy : nullptr;
    size_t palette = 0;
    for (size_t r = 0; r < inc_.revisions.size(); ++r) {
      const std::string& name = inc_.revisions[r];
      if (deploy && deploy->revision == name && deploy->revision_first_seen) {
        const int64_t seen = millis(*deploy->revision_first_seen);
        first[r] = first[r] ? std::min(*first[r], seen) : seen;
      }
      if (!first[r]) continue;
      const bool bad = deploy && deploy->bad_deploy && deploy->revision == name;
      bands_.push_back(Band{name, *first[r], bad ? kBadDeployBand : kBandColors[palette++ % kBandColors.size()],
                            bad ? name + " (bad deploy)" : name});
    }
    std::stable_sort(bands_.begin(), bands_.end(), [](const Band& a, const Band& b) { return a.start < b.start; });
    if (deploy && deploy->previous_revision) {
      const bool healthy = deploy->previous_healthy.value_or(false);
      std::string label = *deploy->previous_revision;
      if (deploy->previous_healthy) label += *deploy->previous_healthy ? " (healthy)" : " (failing)";
      bands_.insert(bands_.begin(), Band{*deploy->previous_revision, start_, healthy ? kHealthyBand : kUnknownBand,
                                         std::move(label)});
    }
  }

  void text(double tx, double ty, std::string_view anchor, std::string_view color, const std::string& body,
            const std::string& title = {}, std::string_view cls = {}) {
    out_ += "<text x=\"" + num(tx) + "\" y=\"" + num(ty) + "\"";
    if (anchor != "start") out_ += " text-anchor=\"" + std::string(anchor) + "\"";
    if (color != "#222") out_ += " fill=\"" + std::string(color) + "\"";
    if (!cls.empty()) out_ += " class=\"" + std::string(cls) + "\"";
    out_ += ">";
    if (!title.empty()) out_ += "<title>" + esc(title) + "</title>";
    out_ += esc(body) + "</text>";
  }

  // The shape of a mark of `kind` centred on (cx, cy).
  std::string shape(RuleKind kind, double cx, double cy) const {
    switch (kind) {
      case RuleKind::cause:
        return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"5\" fill=\"" + std::string(kCauseColor) +
               "\" stroke=\"#fff\" stroke-width=\"1\"/>";
      case RuleKind::effect:
        return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"3.5\" fill=\"" +
               std::string(kEffectColor) + "\"/>";
      case RuleKind::exit:
        return "<path d=\"M" + num(cx - 4) + " " + num(cy - 4) + "L" + num(cx + 4) + " " + num(cy + 4) + "M" +
               num(cx + 4) + " " + num(cy - 4) + "L" + num(cx - 4) + " " + num(cy + 4) + "\" stroke=\"" +
               std::string(kExitColor) + "\" stroke-width=\"2\" fill=\"none\"/>";
      case RuleKind::loop:
      case RuleKind::recovery:
        return "<path d=\"M" + num(cx) + " " + num(cy - 6) + "L" + num(cx + 5) + " " + num(cy + 4) + "L" +
               num(cx - 5) + " " + num(cy + 4) + "Z\" fill=\"" + std::string(kLoopColor) + "\"/>";
    }
    return {};
  }

  void legend() {
    double lx = kPlotLeft;
    const double cy = 12;
    auto item = [&](const std::string& glyph, std::string_view label) {
      out_ += glyph;
      text(lx + 9, cy + 4, "start", "#333", std::string(label));
      lx += 9 + kCharWidth * static_cast<double>(label.size()) + 18;
    };
    auto vline = [&](std::string_view color, std::string_view dash) {
      return "<line x1=\"" + num(lx) + "\" y1=\"" + num(cy - 7) + "\" x2=\"" + num(lx) + "\" y2=\"" + num(cy + 7) +
             "\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\"" +
             (dash.empty() ? std::string() : " stroke-dasharray=\"" + std::string(dash) + "\"") + "/>";
    };
    out_ += "<g class=\"legend\">";
    item(shape(RuleKind::cause, lx, cy), "cause");
    item(shape(RuleKind::effect, lx, cy), "effect");
    item(shape(RuleKind::exit, lx, cy), "exit");
    item(shape(RuleKind::loop, lx, cy), "loop");
    item(vline(kCauseColor, "5 3"), "first failure");
    item(vline(kLoopColor, "2 2"), "crash-loop threshold");
    item(vline(kRecoveryColor, ""), "recovery");
    out_ += "</g>";
    text(10, cy + 4, "start", "#555", "event time (UTC)");
  }

  void bands(double top, double bottom) {
    for (size_t i = 0; i < bands_.size(); ++i) {
      const Band& band = bands_[i];
      const double x0 = std::max(kPlotLeft, x(band.start));
      const double x1 = i + 1 < bands_.size() ? x(bands_[i + 1].start) : kPlotRight;
      if (x1 <= x0) continue;
      const std::string title = "revision " + band.label + " from " + format_rfc3339(Timestamp{std::chrono::milliseconds(band.start)});
      out_ += "<g class=\"band\"><rect class=\"band\" data-revision=\"" + esc(band.revision) + "\" x=\"" + num(x0) +
              "\" y=\"" + num(top) + "\" width=\"" + num(x1 - x0) + "\" height=\"" + num(bottom - top) + "\" fill=\"" +
              std::string(band.color) + "\"><title>" + esc(title) + "</title></rect>";
      const size_t room = static_cast<size_t>(std::max(0.0, (x1 - x0 - 6) / kCharWidth));
      if (room >= 4) text(x0 + 3, top + 13, "start", "#333", shorten_end(band.label, room), title, "band-label");
      out_ += "</g>";
    }
  }

  void overlays(double labels_top, double rows_bottom) {
    double label_y = labels_top + 11;
    auto draw = [&](const std::vector<Overlay>& list) {
      if (list.empty()) return;
      for (const Overlay& o : list) {
        const double ox = x(o.at);
        out_ += "<line class=\"" + std::string(o.cls) + "\" x1=\"" + num(ox) + "\" y1=\"" + num(label_y - 10) +
                "\" x2=\"" + num(ox) + "\" y2=\"" + num(rows_bottom) + "\" stroke=\"" + std::string(o.color) +
                "\" stroke-width=\"" + num(o.width) + "\"" +
                (o.dash.empty() ? std::string() : " stroke-dasharray=\"" + std::string(o.dash) + "\"") + "><title>" +
                esc(o.title) + "</title></line>";
        const bool right_half = ox > (kPlotLeft + kPlotRight) / 2;
        text(right_half ? ox - 4 : ox + 4, label_y, right_half ? "end" : "start", o.color, o.label, o.title);
      }
      label_y += kOverlayLabelHeight;
    };
    draw({first_failure_});
    draw(loops_);
    draw(recoveries_);
  }

  void rows(double top) {
    std::vector<std::vector<const TimelineMark*>> by_row(rows_.size());
    for (const TimelineMark& mark : inc_.timeline)
      if (auto row = row_of(mark)) by_row[*row].push_back(&mark);
    for (size_t r = 0; r < rows_.size(); ++r) {
      const double cy = top + kRowHeight * static_cast<double>(r) + kRowHeight / 2;
      const bool none = no_instance_row_ && r + 1 == rows_.size();
      const std::string& id = rows_[r];
      out_ += "<g class=\"row\" data-instance=\"" + esc(id) + "\">";
      out_ += "<line x1=\"" + num(kPlotLeft) + "\" y1=\"" + num(cy) + "\" x2=\"" + num(kPlotRight) + "\" y2=\"" +
              num(cy) + "\" stroke=\"#9e9e9e\" stroke-width=\"0.6\"/>";
      text(kPlotLeft - 8, cy + 4, "end", none ? "#666" : "#222",
           none ? "(no instance)" : shorten_middle(id, kLabelChars), none ? "" : "instance " + id, "instance");
      // Effects first, then causes, exits and loops on top: the cause is what
      // matters where they coincide.
      for (RuleKind kind : {RuleKind::effect, RuleKind::cause, RuleKind::exit, RuleKind::loop}) {
        for (const TimelineMark* mark : by_row[r]) {
          if (mark->kind() != kind) continue;
          const std::string revision = revision_of(*mark);
          const std::string title = std::string(to_string(kind)) + (none ? "" : " on " + id) + " at " +
                                    format_rfc3339(mark->at()) + (revision.empty() ? "" : ", revision " + revision);
          out_ += "<g class=\"mark " + std::string(to_string(kind)) + "\"><title>" + esc(title) + "</title>" +
                  shape(kind, x(mark->at_ms()), cy) + "</g>";
        }
      }
      out_ += "</g>";
    }
    if (inc_.timeline.empty())
      text((kPlotLeft + kPlotRight) / 2, top + kRowHeight / 2 + 4, "middle", "#666",
           "no per-instance events stored for this incident");
  }

  // Ticks at round multiples of a step that gives at most 8 of them.
  void axis(double y) {
    static constexpr std::array<int64_t, 22> kSteps = {
        1000, 2000, 5000, 10'000, 15'000, 30'000, 60'000, 120'000, 300'000, 600'000, 900'000,
        1'800'000, 3'600'000, 7'200'000, 10'800'000, 21'600'000, 43'200'000, 86'400'000, 172'800'000,
        604'800'000, 2'592'000'000, 31'536'000'000};
    const int64_t span = end_ - start_;
    int64_t step = kSteps.back();
    for (int64_t s : kSteps)
      if (span / s <= 8) {
        step = s;
        break;
      }
    out_ += "<g class=\"axis\"><line x1=\"" + num(kPlotLeft) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kPlotRight) +
            "\" y2=\"" + num(y) + "\" stroke=\"#555\" stroke-width=\"1\"/>";
    int64_t tick = start_ >= 0 ? (start_ + step - 1) / step * step : start_ / step * step;
    for (; tick <= end_; tick += step) {
      const double tx = x(tick);
      out_ += "<line x1=\"" + num(tx) + "\" y1=\"" + num(y) + "\" x2=\"" + num(tx) + "\" y2=\"" + num(y + 5) +
              "\" stroke=\"#555\" stroke-width=\"1\"/>";
      text(tx, y + 17, "middle", "#333", clock_text(tick, step < 60'000, false, step >= 86'400'000), {}, "tick");
    }
    text(kPlotLeft - 8, y + 17, "end", "#555", date_text(start_));
    text(kPlotRight, y + 32, "end", "#555",
         "span " + format_duration(std::chrono::milliseconds(std::max<int64_t>(millis(inc_.last_seen) - millis(inc_.opened_at), 0))) +
             " from first failure to last event");
    out_ += "</g>";
  }

  const Incident& inc_;
  std::string out_;
  std::vector<std::string> rows_;
  size_t hidden_rows_ = 0;
  bool no_instance_row_ = false;
  Overlay first_failure_;
  std::vector<Overlay> loops_, recoveries_;
  std::vector<Band> bands_;
  int64_t start_ = 0, end_ = 1;
};

}  // namespace

std::string timeline_svg(const Incident& incident) { return Picture(incident).render(); }

}  // namespace faultline
