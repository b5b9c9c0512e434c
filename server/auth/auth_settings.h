// ServeAuth: the credentials `faultline serve` accepts, as configured (the
// config file's auth.* section and $FAULTLINE_*_TOKENS; see server/config.h).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace faultline {

// Who may call what (DESIGN.md, "Security"). Tokens come from the config file
// or, better for secrets, from $FAULTLINE_INGEST_TOKENS / $FAULTLINE_READ_TOKENS /
// $FAULTLINE_WRITE_TOKENS (comma-separated); never from flags (ps shows them).
struct ServeAuth {
  std::vector<std::string> ingest_tokens;  // ingest endpoints: Bearer, or ?token= on the Pub/Sub push
  std::vector<std::string> read_tokens;    // GET /api/v1/*
  std::vector<std::string> write_tokens;   // also ack, resolve, POST /-/reload
  std::string oidc_audience;               // Pub/Sub push OIDC: the subscription's --push-auth-token-audience
  std::vector<std::string> oidc_emails;    // push service accounts allowed; empty: any verified email
  std::vector<std::string> oidc_issuers;   // empty: Google's
  std::string oidc_jwks_file;              // keys from a file, or
  std::string oidc_jwks_url;               // fetched (and refreshed) from a URL
  std::string oidc_ca_file;                // https trust for oidc_jwks_url; empty: the system's
  std::chrono::seconds clock_skew{60};
  std::chrono::nanoseconds jwks_refresh = std::chrono::hours(1);
  bool insecure = false;  // --insecure: bind a non-loopback address without tokens
  bool ingest_protected() const { return !ingest_tokens.empty() || !oidc_audience.empty(); }
  bool api_protected() const { return !read_tokens.empty() || !write_tokens.empty(); }
};

}  // namespace faultline
