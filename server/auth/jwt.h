// RS256 JSON Web Tokens as Pub/Sub push sends them (an OIDC ID token signed by
// Google), verified with OpenSSL against a JSON Web Key Set.
//
// verify_jwt() checks, in order: three base64url parts; header alg RS256 with a
// kid present in the key set; the signature over "header.payload"; iss among the
// accepted issuers; aud equal to the configured audience (string or array);
// exp in the future and iat/nbf not in the future, each within clock_skew; and,
// when emails are configured, email among them with email_verified true.
// The reason names the first check that failed ("token expired 2m10s ago"), for
// the 401 body and the log; the token itself is never part of it. Neither
// function throws on any input: a member of the wrong JSON type is a refusal
// naming it, like any other bad token or key set.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/timestamp.h"

struct evp_pkey_st;

namespace faultline {

// Keys by kid. Immutable once built; shared between threads. It owns its
// OpenSSL keys, so it is not copyable (share the pointer parse() returns).
class Jwks {
 public:
  // The RSA keys ("kty":"RSA" with kid, n and e) of a JWKS document; keys of
  // other types are skipped. nullptr with `error` when the document has no
  // usable key, or when a key is malformed ("keys[1].kty: expected a string,
  // got number"): a provider's broken document must not half-replace good keys.
  static std::shared_ptr<const Jwks> parse(std::string_view json, std::string& error);
  Jwks(const Jwks&) = delete;
  Jwks& operator=(const Jwks&) = delete;
  const evp_pkey_st* key(const std::string& kid) const;
  size_t size() const { return keys_.size(); }

 private:
  struct KeyFree {
    void operator()(evp_pkey_st* key) const;
  };
  Jwks() = default;
  std::map<std::string, std::unique_ptr<evp_pkey_st, KeyFree>> keys_;
};

struct JwtPolicy {
  std::string audience;                      // required
  std::vector<std::string> issuers = {"https://accounts.google.com", "accounts.google.com"};
  std::vector<std::string> emails;           // service accounts allowed to push; empty: any verified email
  std::chrono::seconds clock_skew{60};
};

struct JwtResult {
  bool ok = false;
  std::string reason;  // when !ok
  std::string kid;     // from the header, also when the key was unknown (refresh the key set)
  std::string email;
  bool unknown_key = false;
};

JwtResult verify_jwt(std::string_view token, const Jwks& keys, const JwtPolicy& policy, Timestamp now);

}  // namespace faultline
