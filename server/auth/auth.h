// Authenticator: who may call what (README, "Security").
//
//   ingest  POST /v1/logs, /v1/logs/raw, /loki/api/v1/push: an ingest token as
//           "Authorization: Bearer …", or as the password of HTTP Basic (any
//           user name), since many shippers offer only Basic.
//   push    POST /v1/push/pubsub: an ingest token (Bearer, Basic, or ?token= since
//           a push subscription cannot set headers), or the push's OIDC JWT.
//   read    GET /api/v1/*: a read or write token (Bearer or Basic).
//   write   POST …/ack, …/resolve, /-/reload: a write token (a read token: 403).
// A class with no credential configured is open; serve refuses to listen beyond
// loopback unless ingest and the API are both protected (or --insecure).
// /healthz, /readyz and /metrics stay open for probes and scrapers.
//
// Tokens are compared in constant time against every configured token, and never
// logged or echoed. The JWKS is read from a file at start, or fetched from a URL
// at start and then every jwks_refresh, and at once (at most every 30 s) when a
// JWT names a key id it does not know (Google rotates its keys). A refresh that
// fails (unreachable, or a malformed document) keeps the keys loaded before.
// check() is thread-safe and never blocks on the network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/auth/auth_settings.h"
#include "server/http/http_message.h"
#include "server/auth/jwt.h"
#include "server/log.h"

namespace faultline {

enum class Access { ingest, push, read, write };

struct AuthDecision {
  int status = 0;      // 0: allowed; else 401 or 403
  std::string detail;  // what was wrong, safe to show the caller
  // A 401's WWW-Authenticate: both schemes on the ingest routes; Bearer alone on
  // the API, whose callers include the on-call page, where a Basic challenge
  // would make the browser put up its own password dialog.
  std::string challenge;
  bool allowed() const { return status == 0; }
};

class Authenticator {
 public:
  using WallClockFn = std::function<Timestamp()>;
  Authenticator(const ServeAuth& config, Logger& log, WallClockFn wall_clock);
  ~Authenticator();  // stops the refresher
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Loads the JWKS file, or fetches the URL once and starts refreshing it. An
  // unreadable file is an error (false, `error`); an unreachable URL is logged
  // and retried (pushes get 401 until keys arrive, and Pub/Sub retries them).
  bool start(std::string& error);

  // On the headers alone, so that a refused request's body is never read.
  AuthDecision check(const RequestHead& head, Access access);

 private:
  std::shared_ptr<const Jwks> keys() const;
  void refresh_loop();
  bool fetch_keys();

  ServeAuth config_;
  JwtPolicy policy_;
  Logger& log_;
  WallClockFn wall_clock_;

  mutable std::mutex keys_mutex_;
  std::shared_ptr<const Jwks> keys_;
  std::mutex refresh_mutex_;
  std::condition_variable refresh_wake_;
  bool refresh_now_ = false;
  bool stopping_ = false;
  std::thread refresher_;
};

// The token an Authorization header presents: "Bearer abc" → abc, and "Basic "
// + base64("user:abc") → abc (RFC 7617; the user name is ignored). Schemes are
// case-insensitive.
struct PresentedToken {
  enum class Scheme { none, bearer, basic };
  Scheme scheme = Scheme::none;
  std::string token;    // empty when none was presented
  std::string problem;  // a Basic header that is not base64 of "user:password": why
};
PresentedToken presented_token(const http::fields& headers);
// Constant-time: the time taken does not depend on where `given` first differs.
bool token_matches(std::string_view given, const std::vector<std::string>& tokens);

}  // namespace faultline
