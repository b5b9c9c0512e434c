// Transport envelopes around plain-text log lines: the prefix that the tool
// which collected or printed a line put before the application's own line.
// Internal to parsers/; the text reader (text.h) strips them line by line.
//
// Recognised, each only when the whole prefix is there (so application text that
// merely resembles one is left alone):
//   compose   "web_1  | msg", "web-1  | msg", "web  | msg" (docker compose logs / up)
//             service = the name without a replica suffix ("_1", "-1"), instance =
//             the name as printed; pm2's "0|server   | msg" likewise (instance "0|server")
//   kubectl   "[pod/web-7d4b9c-x2x/web] msg" (kubectl logs --prefix)
//             instance = the pod, service = the container
//   cri       "2023-01-01T00:00:00.123456789Z stderr F msg" (Kubernetes node files)
//             time, stream; `partial` for a "P" piece that the next pieces continue
//   syslog    "Oct 31 17:29:41 host unit[pid]: msg", "Aug 19 00:32:04 kernel: msg"
//             (journalctl, /var/log/syslog), optionally after "<PRI>";
//             "2021-10-31T17:29:41+01:00 host unit[pid]: msg" (ISO timestamps: the
//             tag must carry [pid], or be "kernel");
//             "<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg" (RFC 5424)
//             service = unit (for systemd's own lines about "x.service", x),
//             instance = host/pid, time; severity from PRI when present
//   heroku    "2020-02-22T16:00:00.284950+00:00 app[web.1]: msg" (also heroku[web.1])
//             service = the dyno type ("web"), instance = the dyno ("web.1"), time
//   cf        "2017-05-15T09:11:06.051-04:00 [APP/PROC/WEB/0] [ERR] msg" (cf logs)
//             instance = the source, stream = stdout/stderr, time
// Exactly one space after the prefix belongs to it; the rest of the line, with its
// indentation, is the application's line. Docker's json-file lines are JSON and
// read by structured.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/timestamp.h"

namespace faultline {

enum class EnvelopeKind { none, compose, kubectl, cri, syslog, heroku, cloud_foundry };

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::none;
  size_t body = 0;               // where the application's line starts
  std::string service;           // empty when the envelope names none
  std::string instance;
  std::string stream;            // "stdout", "stderr" or empty
  std::string severity;          // syslog PRI's severity name, or empty
  std::optional<Timestamp> time;
  bool partial = false;          // CRI "P": the line goes on in the next piece of its stream
};

// Reads the envelope at the start of `line` (no line terminator). `reference`
// resolves dates without a year (syslog). False, `out` untouched, when none is
// there. Looks at no more than the prefix; never throws.
bool read_envelope(std::string_view line, Timestamp reference, Envelope& out);

// "web_1" -> "web", "api-2" -> "api", "web" -> "web": compose's replica suffix off.
std::string_view compose_service(std::string_view name);

}  // namespace faultline
