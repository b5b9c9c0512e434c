#include "server/auth/auth.h"

#include <openssl/crypto.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "codec/base64.h"
#include "server/http/http_client.h"

namespace faultline {
namespace {

constexpr auto kMinUnknownKeyRefresh = std::chrono::seconds(30);
constexpr auto kRetryAfterFailedFetch = std::chrono::seconds(30);

AuthDecision deny(int status, std::string detail) { return {status, std::move(detail), ""}; }

}  // namespace

namespace {

// `value` without its scheme when it starts with `scheme` and a space (any case).
std::optional<std::string_view> after_scheme(std::string_view value, std::string_view scheme) {
  if (value.size() <= scheme.size() || value[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
      return std::nullopt;
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

}  // namespace

PresentedToken presented_token(const http::fields& headers) {
  PresentedToken out;
  const std::string_view value = headers[http::field::authorization];
  if (auto token = after_scheme(value, "Bearer")) {
    out.scheme = PresentedToken::Scheme::bearer;
    out.token = *token;
  } else if (auto credentials = after_scheme(value, "Basic")) {
    out.scheme = PresentedToken::Scheme::basic;
    std::string decoded;
    Base64Error error;
    const size_t colon = base64_decode(*credentials, decoded, error) ? decoded.find(':') : std::string::npos;
    if (colon == std::string::npos)
      out.problem = "Authorization: Basic must carry base64 of user:password (RFC 7617), with the token as the password.";
    else
      out.token = decoded.substr(colon + 1);
  }
  return out;
}

bool token_matches(std::string_view given, const std::vector<std::string>& tokens) {
  bool match = false;
  for (const std::string& token : tokens) {
    // Lengths are not secret (and tokens have a minimum length); contents are.
    const bool same_length = token.size() == given.size();
    const std::string_view compared = same_length ? given : std::string_view(token);
    match |= (CRYPTO_memcmp(token.data(), compared.data(), token.size()) == 0) & same_length;
  }
  return match;
}

Authenticator::Authenticator(const ServeAuth& config, Logger& log, WallClockFn wall_clock)
    : config_(config), log_(log), wall_clock_(std::move(wall_clock)) {
  policy_.audience = config_.oidc_audience;
  if (!config_.oidc_issuers.empty()) policy_.issuers = config_.oidc_issuers;
  policy_.emails = config_.oidc_emails;
  policy_.clock_skew = config_.clock_skew;
}

Authenticator::~Authenticator() {
  {
    std::lock_guard lock(refresh_mutex_);
    stopping_ = true;
  }
  refresh_wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

bool Authenticator::start(std::string& error) {
  if (!config_.oidc_jwks_file.empty()) {
    std::ifstream in(config_.oidc_jwks_file);
    if (!in) {
      error = "auth.oidc_jwks_file " + config_.oidc_jwks_file + ": cannot read the file";
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string why;
    auto keys = Jwks::parse(text.str(), why);
    if (!keys) {
      error = "auth.oidc_jwks_file " + config_.oidc_jwks_file + ": " + why;
      return false;
    }
    std::lock_guard lock(keys_mutex_);
    keys_ = std::move(keys);
  }
  if (!config_.oidc_jwks_url.empty()) {
    fetch_keys();
    refresher_ = std::thread([this] { refresh_loop(); });
  }
  return true;
}

std::shared_ptr<const Jwks> Authenticator::keys() const {
  std::lock_guard lock(keys_mutex_);
  return keys_;
}

bool Authenticator::fetch_keys() {
  std::string error;
  std::shared_ptr<const Jwks> keys;
  // Runs on the refresher thread, where an escaping exception would end the daemon.
  try {
    auto url = parse_http_url(config_.oidc_jwks_url, error);  // validated with the config
    HttpClientOptions options;
    options.ca_file = config_.oidc_ca_file;
    HttpClientResult result = http_get(*url, "", options);
    if (result.ok()) keys = Jwks::parse(result.body, error);
    else error = result.describe();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!keys) {
    if (auto kept = this->keys())
      log_.warn("auth", "JWKS refresh failed; keeping the keys loaded before",
                {{"url", config_.oidc_jwks_url}, {"keys", kept->size()}, {"error", error}});
    else
      log_.warn("auth", "JWKS fetch failed; Pub/Sub pushes with OIDC tokens get 401 until it succeeds",
                {{"url", config_.oidc_jwks_url}, {"error", error}});
    return false;
  }
  log_.info("auth", "JWKS loaded", {{"url", config_.oidc_jwks_url}, {"keys", keys->size()}});
  std::lock_guard lock(keys_mutex_);
  keys_ = std::move(keys);
  return true;
}

void Authenticator::refresh_loop() {
  auto last_fetch = std::chrono::steady_clock::now();
  bool last_ok = keys() != nullptr;
  std::unique_lock lock(refresh_mutex_);
  while (!stopping_) {
    const auto interval = last_ok ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.jwks_refresh)
                                  : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kRetryAfterFailedFetch);
    refresh_wake_.wait_until(lock, last_fetch + interval, [&] {
      return stopping_ || (refresh_now_ && std::chrono::steady_clock::now() >= last_fetch + kMinUnknownKeyRefresh);
    });
    if (stopping_) break;
    refresh_now_ = false;
    lock.unlock();
    last_ok = fetch_keys();
    last_fetch = std::chrono::steady_clock::now();
    lock.lock();
  }
}

AuthDecision Authenticator::check(const RequestHead& head, Access access) {
  const PresentedToken presented = presented_token(head.header);
  const bool bearer = presented.scheme == PresentedToken::Scheme::bearer;
  switch (access) {
    case Access::ingest:
    case Access::push: {
      if (!config_.ingest_protected()) return {};
      auto refuse = [](std::string detail) {
        return AuthDecision{401, std::move(detail), "Bearer realm=\"faultline\", Basic realm=\"faultline\""};
      };
      if (!presented.problem.empty()) return refuse(presented.problem);
      std::string_view token = presented.token;
      if (token.empty() && access == Access::push) token = head.param("token").value_or("");
      if (token.empty())
        return refuse(access == Access::push
                          ? "This endpoint needs an ingest token (Authorization: Bearer, Basic with the token as "
                            "the password, or ?token= on the push endpoint) or the push subscription's OIDC token."
                          : "This endpoint needs an ingest token: Authorization: Bearer <token>, or Basic with the "
                            "token as the password (any user name).");
      if (token_matches(token, config_.ingest_tokens)) return {};
      if (access == Access::push && !config_.oidc_audience.empty() && bearer) {
        auto keys = this->keys();
        if (!keys) return refuse("OIDC signing keys are not loaded yet; Pub/Sub will retry.");
        JwtResult jwt = verify_jwt(presented.token, *keys, policy_, wall_clock_());
        if (jwt.ok) return {};
        if (jwt.unknown_key && !config_.oidc_jwks_url.empty()) {
          {
            std::lock_guard lock(refresh_mutex_);
            refresh_now_ = true;
          }
          refresh_wake_.notify_all();
        }
        log_.debug("auth", "push token refused", {{"reason", jwt.reason}, {"email", jwt.email}});
        return refuse(jwt.reason + ".");
      }
      return refuse("The ingest token is not valid.");
    }
    case Access::read:
    case Access::write: {
      if (!config_.api_protected()) return {};
      auto refuse = [](std::string detail) { return AuthDecision{401, std::move(detail), "Bearer realm=\"faultline\""}; };
      if (!presented.problem.empty()) return refuse(presented.problem);
      if (presented.token.empty())
        return refuse("The incident API needs a token: Authorization: Bearer <token> (or Basic with the token as "
                      "the password).");
      if (token_matches(presented.token, config_.write_tokens)) return {};
      if (token_matches(presented.token, config_.read_tokens))
        return access == Access::read ? AuthDecision{}
                                      : deny(403, "This token is read-only; acknowledging, resolving and reloading "
                                                  "need a write token.");
      return refuse("The API token is not valid.");
    }
  }
  return deny(401, "Not authorized.");
}

}  // namespace faultline
