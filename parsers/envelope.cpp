#include "parsers/envelope.h"

#include "parsers/app_level.h"
#include "parsers/log_time.h"

namespace faultline {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

constexpr size_t kMaxName = 128;

// Where the application's line starts after a prefix ending at `pos`: one space
// belongs to the prefix; a line that ends there has an empty body.
bool body_after(std::string_view line, size_t pos, size_t& body) {
  if (pos == line.size()) {
    body = pos;
    return true;
  }
  if (line[pos] != ' ') return false;
  body = pos + 1;
  return true;
}

// "web_1  | ", "0|server   | "
bool read_compose(std::string_view line, Envelope& out) {
  size_t pos = 0;
  while (pos < line.size() && pos < 6 && is_digit(line[pos])) ++pos;
  size_t name_start = 0;
  if (pos > 0 && pos < line.size() && line[pos] == '|') name_start = pos + 1;  // pm2 "0|server"
  pos = name_start;
  if (pos >= line.size() || !is_alnum(line[pos])) return false;
  while (pos < line.size() && pos - name_start < kMaxName &&
         (is_alnum(line[pos]) || line[pos] == '_' || line[pos] == '.' || line[pos] == '-'))
    ++pos;
  size_t name_end = pos;
  if (pos >= line.size() || line[pos] != ' ') return false;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos >= line.size() || line[pos] != '|') return false;
  size_t body;
  if (!body_after(line, pos + 1, body)) return false;
  std::string_view name = line.substr(name_start, name_end - name_start);
  out.kind = EnvelopeKind::compose;
  out.body = body;
  out.service = std::string(compose_service(name));
  out.instance = std::string(line.substr(0, name_end));
  return true;
}

// "[pod/NAME/CONTAINER] "
bool read_kubectl(std::string_view line, Envelope& out) {
  if (!line.starts_with("[pod/")) return false;
  size_t pos = 5;
  size_t pod = pos;
  auto part = [&](char end) {
    size_t start = pos;
    while (pos < line.size() && pos - start < 254 && line[pos] != end && line[pos] != '/' &&
           line[pos] != ']' && line[pos] != ' ')
      ++pos;
    return pos > start && pos < line.size() && line[pos] == end;
  };
  if (!part('/')) return false;
  std::string_view pod_name = line.substr(pod, pos - pod);
  size_t container = ++pos;
  if (!part(']')) return false;
  std::string_view container_name = line.substr(container, pos - container);
  size_t body;
  if (!body_after(line, pos + 1, body)) return false;
  out.kind = EnvelopeKind::kubectl;
  out.body = body;
  out.instance = std::string(pod_name);
  out.service = std::string(container_name);
  return true;
}

// "2023-01-01T00:00:00.123456789Z stderr F "
bool read_cri(std::string_view line, Envelope& out) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos || space < 20 || space > 40) return false;
  auto time = parse_rfc3339(line.substr(0, space));
  if (!time) return false;
  std::string_view rest = line.substr(space + 1);
  std::string_view stream;
  if (rest.starts_with("stdout ")) stream = "stdout";
  else if (rest.starts_with("stderr ")) stream = "stderr";
  else return false;
  size_t tag = space + 1 + 7;
  if (tag >= line.size() || (line[tag] != 'P' && line[tag] != 'F')) return false;
  size_t body;
  if (!body_after(line, tag + 1, body)) return false;
  out.kind = EnvelopeKind::cri;
  out.body = body;
  out.time = time;
  out.stream = std::string(stream);
  out.partial = line[tag] == 'P';
  return true;
}

// "<PRI>" -> PRI, advancing `pos`; -1 when absent or malformed.
int read_priority(std::string_view line, size_t& pos) {
  if (pos >= line.size() || line[pos] != '<') return -1;
  size_t p = pos + 1;
  int value = 0;
  size_t start = p;
  while (p < line.size() && p - start < 3 && is_digit(line[p])) value = value * 10 + (line[p++] - '0');
  if (p == start || p >= line.size() || line[p] != '>' || value > 191) return -1;
  pos = p + 1;
  return value;
}

std::string severity_of(int priority) {
  return priority < 0 ? std::string() : std::string(numeric_level(priority % 8));
}

bool host_char(char c) { return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == ':'; }
bool tag_char(char c) {
  return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '/' || c == '@' || c == '(' || c == ')';
}

struct Tag {
  std::string_view name;
  std::string_view pid;  // what the brackets hold, or empty
  size_t end = 0;        // just after the ':'
};

// "unit[pid]:" or "unit:" at `pos`.
bool read_tag(std::string_view line, size_t pos, Tag& tag) {
  size_t start = pos;
  while (pos < line.size() && pos - start < kMaxName && tag_char(line[pos])) ++pos;
  if (pos == start || pos >= line.size()) return false;
  tag.name = line.substr(start, pos - start);
  tag.pid = {};
  if (line[pos] == '[') {
    size_t open = pos + 1;
    size_t close = open;
    while (close < line.size() && close - open < 64 && line[close] != ']' && line[close] != ' ') ++close;
    if (close >= line.size() || line[close] != ']' || close == open) return false;
    tag.pid = line.substr(open, close - open);
    pos = close + 1;
  }
  if (pos >= line.size() || line[pos] != ':') return false;
  tag.end = pos + 1;
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// systemd's own lines about a unit name it: "am43ctrl.service: Main process exited, …".
std::string_view systemd_unit(std::string_view message) {
  size_t end = 0;
  while (end < message.size() && end < kMaxName && message[end] != ':' && message[end] != ' ') ++end;
  std::string_view word = message.substr(0, end);
  for (std::string_view suffix : {".service", ".socket", ".timer", ".scope"}) {
    if (word.size() > suffix.size() && word.ends_with(suffix)) return word.substr(0, word.size() - suffix.size());
  }
  return {};
}

void fill_syslog(std::string_view line, std::string_view host, const Tag& tag, Envelope& out) {
  out.kind = EnvelopeKind::syslog;
  out.service = std::string(tag.name);
  out.instance = std::string(host);
  if (!tag.pid.empty()) {
    if (!out.instance.empty()) out.instance += '/';
    out.instance.append(tag.pid);
  }
  if (tag.name == "systemd") {
    std::string_view unit = systemd_unit(line.substr(out.body));
    if (!unit.empty()) out.service = std::string(unit);
  }
}

// After the time, at `pos`: "host tag: " or "tag: ". With `need_pid` (ISO
// timestamps, where application lines also start with a time), the tag must
// carry [pid] or be the kernel's.
bool read_host_and_tag(std::string_view line, size_t pos, bool need_pid, std::string_view& host, Tag& tag) {
  auto acceptable = [&](const Tag& t) { return !need_pid || !t.pid.empty() || t.name == "kernel"; };
  host = {};
  if (read_tag(line, pos, tag) && acceptable(tag)) return true;
  size_t start = pos;
  while (pos < line.size() && pos - start < 255 && host_char(line[pos])) ++pos;
  if (pos == start || pos >= line.size() || line[pos] != ' ') return false;
  host = line.substr(start, pos - start);
  return read_tag(line, pos + 1, tag) && acceptable(tag);
}

// "Oct 31 17:29:41 host unit[pid]: " (optionally after "<PRI>")
bool read_bsd_syslog(std::string_view line, Timestamp reference, Envelope& out) {
  size_t pos = 0;
  int priority = read_priority(line, pos);
  TimeSpan span;
  if (!read_syslog_time(line.substr(pos), reference, span)) return false;
  pos += span.length;
  if (pos >= line.size() || line[pos] != ' ') return false;
  std::string_view host;
  Tag tag;
  if (!read_host_and_tag(line, pos + 1, false, host, tag)) return false;
  size_t body;
  if (!body_after(line, tag.end, body)) return false;
  out.body = body;
  out.time = span.time;
  out.severity = severity_of(priority);
  fill_syslog(line, host, tag, out);
  return true;
}

// "<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg"
bool read_rfc5424(std::string_view line, Envelope& out) {
  size_t pos = 0;
  int priority = read_priority(line, pos);
  if (priority < 0 || !line.substr(pos).starts_with("1 ")) return false;
  pos += 2;
  std::string_view fields[5];  // timestamp, host, app, procid, msgid
  for (std::string_view& field : fields) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos || end == pos || end - pos > 255) return false;
    field = line.substr(pos, end - pos);
    pos = end + 1;
  }
  std::optional<Timestamp> time;
  if (fields[0] != "-") {
    time = parse_rfc3339(fields[0]);
    if (!time) return false;
  }
  // Structured data: "-" or one or more [id param="value" …] elements.
  if (pos < line.size() && line[pos] == '-') {
    ++pos;
  } else {
    if (pos >= line.size() || line[pos] != '[') return false;
    while (pos < line.size() && line[pos] == '[') {
      bool quoted = false;
      ++pos;
      while (pos < line.size() && (quoted || line[pos] != ']')) {
        if (line[pos] == '\\' && pos + 1 < line.size()) ++pos;
        else if (line[pos] == '"') quoted = !quoted;
        ++pos;
      }
      if (pos >= line.size()) return false;
      ++pos;
    }
  }
  size_t body;
  if (!body_after(line, pos, body)) return false;
  if (line.substr(body).starts_with("\xEF\xBB\xBF")) body += 3;
  auto nil = [](std::string_view v) { return v == "-" ? std::string_view() : v; };
  Tag tag;
  tag.name = nil(fields[2]);
  tag.pid = nil(fields[3]);
  out.body = body;
  out.time = time;
  out.severity = severity_of(priority);
  fill_syslog(line, nil(fields[1]), tag, out);
  return true;
}

// "<ISO time> …" forms: syslog with ISO timestamps, Heroku, Cloud Foundry.
bool read_iso_prefixed(std::string_view line, Envelope& out) {
  size_t pos = 0;
  int priority = read_priority(line, pos);
  TimeSpan span;
  if (!read_log_time(line.substr(pos), span)) return false;
  std::string_view time_text = line.substr(pos, span.length);
  if (time_text.find('T') == std::string_view::npos || time_text.find(' ') != std::string_view::npos)
    return false;
  pos += span.length;
  if (pos >= line.size() || line[pos] != ' ') return false;
  ++pos;

  // Cloud Foundry: "[APP/PROC/WEB/0] [ERR] "
  if (priority < 0 && pos < line.size() && line[pos] == '[') {
    size_t close = line.find(']', pos);
    if (close == std::string_view::npos || close - pos > 64) return false;
    std::string_view source = line.substr(pos + 1, close - pos - 1);
    std::string_view rest = line.substr(close + 1);
    std::string_view stream;
    if (rest.starts_with(" [OUT]")) stream = "stdout";
    else if (rest.starts_with(" [ERR]")) stream = "stderr";
    else return false;
    if (source.find('/') == std::string_view::npos || source.find(' ') != std::string_view::npos) return false;
    size_t body;
    if (!body_after(line, close + 1 + 6, body)) return false;
    out.kind = EnvelopeKind::cloud_foundry;
    out.body = body;
    out.time = span.time;
    out.instance = std::string(source);
    out.stream = std::string(stream);
    return true;
  }

  std::string_view host;
  Tag tag;
  if (!read_host_and_tag(line, pos, true, host, tag)) return false;
  size_t body;
  if (!body_after(line, tag.end, body)) return false;
  out.body = body;
  out.time = span.time;
  out.severity = severity_of(priority);
  if (host.empty() && priority < 0 && (tag.name == "app" || tag.name == "heroku") && !all_digits(tag.pid)) {
    // Heroku: "app[web.1]", "heroku[router]"
    out.kind = EnvelopeKind::heroku;
    out.service = std::string(tag.pid.substr(0, tag.pid.find('.')));
    out.instance = std::string(tag.pid);
    return true;
  }
  fill_syslog(line, host, tag, out);
  return true;
}

}  // namespace

std::string_view compose_service(std::string_view name) {
  size_t end = name.size();
  while (end > 0 && is_digit(name[end - 1])) --end;
  if (end < name.size() && end >= 2 && (name[end - 1] == '_' || name[end - 1] == '-')) return name.substr(0, end - 1);
  return name;
}

bool read_envelope(std::string_view line, Timestamp reference, Envelope& out) {
  if (line.size() < 3) return false;
  Envelope e;
  bool found = false;
  const char c = line[0];
  if (c == '[') {
    found = read_kubectl(line, e);
  } else if (c == '<') {
    found = read_rfc5424(line, e) || read_iso_prefixed(line, e) || read_bsd_syslog(line, reference, e);
  } else if (is_digit(c)) {
    // A date first: CRI, ISO syslog, Heroku, Cloud Foundry, a CJK syslog month;
    // else a pm2 or compose name that starts with a digit.
    found = read_cri(line, e) || read_iso_prefixed(line, e) || read_bsd_syslog(line, reference, e) ||
            read_compose(line, e);
  } else if (is_alnum(c)) {
    found = read_bsd_syslog(line, reference, e) || read_compose(line, e);
  }
  if (found) out = std::move(e);
  return found;
}

}  // namespace faultline
