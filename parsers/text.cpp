#include "parsers/text.h"

#include <algorithm>

#include "parsers/line_prefix.h"
#include "parsers/structured.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

// Streams a body may have partial lines open on at once (CRI: stdout and stderr;
// Docker's json-file the same, but its "stream" is whatever the line says).
constexpr size_t kMaxPartialStreams = 4;
// Compose names remembered for its exit lines.
constexpr size_t kMaxComposeNames = 256;

bool starts_json_object(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  return begin != std::string_view::npos && text[begin] == '{';
}

// "web_1 exited with code 1" -> "web_1"; empty otherwise.
std::string_view compose_exit_name(std::string_view line) {
  constexpr std::string_view kExited = " exited with code ";
  // The name comes first and is short: look no further than where it could end.
  size_t at = line.substr(0, 200 + kExited.size()).find(kExited);
  if (at == std::string_view::npos || at == 0) return {};
  std::string_view name = line.substr(0, at);
  if (name.find(' ') != std::string_view::npos) return {};
  std::string_view code = line.substr(at + kExited.size());
  while (!code.empty() && (code.back() == '\r' || code.back() == ' ')) code.remove_suffix(1);
  if (code.empty() || code.size() > 4) return {};
  for (char c : code)
    if (c < '0' || c > '9') return {};
  return name;
}

bool ends_with_part(std::string_view name, std::string_view part) {
  if (name == part) return true;
  return name.size() > part.size() && name.ends_with(part) &&
         (name[name.size() - part.size() - 1] == '_' || name[name.size() - part.size() - 1] == '-');
}

}  // namespace

TextReader::TextReader(RecordSink& sink) : sink_(sink) {}

Timestamp TextReader::reference() const { return last_time_ ? *last_time_ : sink_.options().arrival; }

TextReader::Partial* TextReader::partial_for(std::vector<Partial>& partials, std::string_view stream) {
  for (Partial& p : partials)
    if (p.stream == stream) return &p;
  return nullptr;
}

bool TextReader::join(std::vector<Partial>& partials, const Envelope& envelope, std::string_view piece, bool more,
                      size_t index, size_t offset, Partial& joined) {
  Partial* p = partial_for(partials, envelope.stream);
  if (!p) {
    if (partials.size() >= kMaxPartialStreams) {  // no room: the piece stands alone
      joined = Partial{envelope.stream, std::string(piece), envelope, index, offset, false};
      return true;
    }
    partials.push_back(Partial{envelope.stream, {}, envelope, index, offset, false});
    p = &partials.back();
  }
  if (!p->too_long) {
    if (p->text.size() + piece.size() > sink_.options().max_line_bytes) {
      p->too_long = true;
      std::string().swap(p->text);
    } else {
      p->text.append(piece);
    }
  }
  if (more) return false;
  joined = std::move(*p);
  partials.erase(partials.begin() + (p - partials.data()));
  return true;
}

bool TextReader::check_utf8(std::string_view text, size_t index, size_t offset) {
  size_t bad = find_invalid_utf8(text);
  if (bad == std::string_view::npos) return true;
  sink_.reject(index, offset, "",
               "invalid UTF-8 at byte " + std::to_string(sink_.options().base_offset + offset + bad) + " (column " +
                   std::to_string(bad + 1) + " of the line)");
  return false;
}

bool TextReader::read(const Line& line) {
  if (!sink_.admit(line.number, line.offset)) return false;
  if (sink_.reject_if_too_long(line.number, line.offset, line.text.size(), "the line")) return true;
  Envelope envelope;
  const bool wrapped = read_envelope(line.text, reference(), envelope);
  if (wrapped && envelope.kind == EnvelopeKind::cri &&
      (envelope.partial || partial_for(cri_partials_, envelope.stream))) {
    Partial joined;
    if (!join(cri_partials_, envelope, line.text.substr(envelope.body), envelope.partial, line.number, line.offset,
              joined))
      return true;
    if (joined.too_long) {
      sink_.reject_limit(joined.index, joined.offset, "max_line_bytes",
                         "the line joined from CRI pieces is more than max_line_bytes (" +
                             std::to_string(sink_.options().max_line_bytes) + ")");
      return true;
    }
    if (find_invalid_utf8(joined.text) != std::string::npos) {
      sink_.reject(joined.index, joined.offset, "", "invalid UTF-8 in the line joined from CRI pieces");
      return true;
    }
    emit(joined.text, joined.envelope, joined.index, joined.offset);
    return true;
  }
  if (!check_utf8(line.text, line.number, line.offset)) return true;
  emit(wrapped ? line.text.substr(envelope.body) : line.text, wrapped ? envelope : Envelope{}, line.number,
       line.offset);
  return true;
}

void TextReader::emit(std::string_view text, const Envelope& envelope, size_t index, size_t offset,
                      bool docker_join) {
  const ParseOptions& options = sink_.options();
  LogRecord record;
  record.service = envelope.service.empty() ? options.service : envelope.service;
  record.revision = options.revision;
  record.instance = envelope.instance.empty() ? options.instance : envelope.instance;
  record.stream = envelope.stream;
  record.severity = envelope.severity;
  bool timed = envelope.time.has_value();
  if (timed) record.time = *envelope.time;
  if (envelope.kind == EnvelopeKind::compose && compose_names_.size() < kMaxComposeNames &&
      std::find(compose_names_.begin(), compose_names_.end(), envelope.instance) == compose_names_.end())
    compose_names_.push_back(envelope.instance);

  if (starts_json_object(text)) {
    JsonLine json = read_json_line(text);
    if (json.kind == JsonLine::Kind::docker) {
      if (record.stream.empty()) record.stream = json.stream;
      if (!timed && json.time) {
        record.time = *json.time;
        timed = true;
      }
      if (docker_join && (json.partial || partial_for(docker_partials_, record.stream))) {
        Envelope piece = envelope;
        piece.stream = record.stream;
        if (timed) piece.time = record.time;
        Partial joined;
        if (!join(docker_partials_, piece, json.text, json.partial, index, offset, joined)) return;
        if (joined.too_long) {
          sink_.reject_limit(joined.index, joined.offset, "max_line_bytes",
                             "the line joined from Docker's 16 KiB pieces is more than max_line_bytes (" +
                                 std::to_string(options.max_line_bytes) + ")");
          return;
        }
        // The joined line, as one unsplit Docker line would have been read.
        std::string line = std::move(joined.text);
        Envelope whole = joined.envelope;
        LogRecord again;
        again.service = record.service;
        again.revision = record.revision;
        again.instance = record.instance;
        again.stream = whole.stream;
        again.severity = record.severity;
        bool again_timed = whole.time.has_value();
        if (again_timed) again.time = *whole.time;
        emit_application_line(again, line, again_timed, true);
        accept(std::move(again), again_timed);
        return;
      }
      emit_application_line(record, json.text, timed, true);
      accept(std::move(record), timed);
      return;
    }
    if (json.kind == JsonLine::Kind::application && json.text.size() <= options.max_line_bytes) {
      record.text = std::move(json.text);
      record.app_level = json.level;
      if (!timed && json.time) {
        record.time = *json.time;
        timed = true;
      }
      accept(std::move(record), timed);
      return;
    }
  }
  emit_application_line(record, text, timed, false);
  if (envelope.kind == EnvelopeKind::none) {
    std::string_view name = compose_exit_name(text);
    if (!name.empty()) compose_exits_.push_back({sink_.records().size(), std::string(name)});
  }
  accept(std::move(record), timed);
}

void TextReader::emit_application_line(LogRecord& record, std::string_view text, bool& timed, bool try_json) {
  if (try_json && starts_json_object(text)) {
    JsonLine json = read_json_line(text);
    if (json.kind == JsonLine::Kind::application && json.text.size() <= sink_.options().max_line_bytes) {
      record.text = std::move(json.text);
      record.app_level = json.level;
      if (!timed && json.time) {
        record.time = *json.time;
        timed = true;
      }
      return;
    }
  }
  LinePrefix prefix = read_line_prefix(text, reference());
  if (!timed && prefix.time) {
    record.time = *prefix.time;
    timed = true;
  }
  std::string_view rest = text.substr(std::min(prefix.strip, text.size()));
  if (prefix.strip > 0 && starts_json_object(rest)) {
    // "2025-02-14 11:34:48 {"level":"info",…}": a timestamp (Docker Desktop's) before a JSON record.
    JsonLine json = read_json_line(rest);
    if (json.kind == JsonLine::Kind::application && json.text.size() <= sink_.options().max_line_bytes) {
      record.text = std::move(json.text);
      record.app_level = json.level;
      return;
    }
  }
  record.app_level = prefix.level;
  record.text = rest;
}

void TextReader::accept(LogRecord&& record, bool timed) {
  std::vector<LogRecord>& records = sink_.records();
  if (timed) {
    last_time_ = record.time;
    for (size_t i : untimed_) records[i].time = record.time;
    std::vector<size_t>().swap(untimed_);
  } else if (last_time_) {
    record.time = *last_time_;
  } else {
    record.time = sink_.options().arrival;
    untimed_.push_back(records.size());
  }
  sink_.accept(std::move(record));
}

void TextReader::note_record(const LogRecord& record) {
  if (record.time == sink_.options().arrival) return;  // it had no time of its own
  last_time_ = record.time;
  std::vector<LogRecord>& records = sink_.records();
  for (size_t i : untimed_) records[i].time = record.time;
  std::vector<size_t>().swap(untimed_);
}

void TextReader::finish() {
  // Pieces whose last piece never came: what arrived is the line.
  std::vector<Partial> cri = std::move(cri_partials_);
  cri_partials_.clear();
  for (Partial& p : cri) {
    if (p.too_long) {
      sink_.reject_limit(p.index, p.offset, "max_line_bytes",
                         "the line joined from CRI pieces is more than max_line_bytes (" +
                             std::to_string(sink_.options().max_line_bytes) + ")");
    } else if (find_invalid_utf8(p.text) != std::string::npos) {
      sink_.reject(p.index, p.offset, "", "invalid UTF-8 in the line joined from CRI pieces");
    } else {
      emit(p.text, p.envelope, p.index, p.offset);
    }
  }
  std::vector<Partial> docker = std::move(docker_partials_);
  docker_partials_.clear();
  for (Partial& p : docker) {
    if (p.too_long) {
      sink_.reject_limit(p.index, p.offset, "max_line_bytes",
                         "the line joined from Docker's 16 KiB pieces is more than max_line_bytes (" +
                             std::to_string(sink_.options().max_line_bytes) + ")");
      continue;
    }
    LogRecord record;
    record.service = p.envelope.service.empty() ? sink_.options().service : p.envelope.service;
    record.revision = sink_.options().revision;
    record.instance = p.envelope.instance.empty() ? sink_.options().instance : p.envelope.instance;
    record.stream = p.stream;
    bool timed = p.envelope.time.has_value();
    if (timed) record.time = *p.envelope.time;
    emit_application_line(record, p.text, timed, true);
    accept(std::move(record), timed);
  }

  // Compose's "NAME exited with code N": the service of the prefix NAME ends with.
  std::vector<LogRecord>& records = sink_.records();
  for (const ComposeExit& exit : compose_exits_) {
    const std::string* best = nullptr;
    for (const std::string& name : compose_names_)
      if (ends_with_part(exit.name, name) && (!best || name.size() > best->size())) best = &name;
    if (!best || exit.record >= records.size()) continue;
    records[exit.record].service = std::string(compose_service(*best));
    records[exit.record].instance = *best;
  }
  compose_exits_.clear();
}

void read_text(std::string_view body, size_t start, RecordSink& sink) {
  // Room for lines of a typical length up front: growing the vector moves
  // every record made so far, hundreds of bytes each.
  constexpr size_t kTypicalLineBytes = 128;
  std::vector<LogRecord>& records = sink.records();
  records.reserve(records.size() + std::min(body.size() / kTypicalLineBytes, sink.options().max_records));
  TextReader reader(sink);
  LineReader lines(body, start);
  Line line;
  while (lines.next(line))
    if (!reader.read(line)) break;
  reader.finish();
}

}  // namespace faultline
