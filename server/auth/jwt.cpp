#include "server/auth/jwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "codec/base64.h"
#include "codec/units.h"
#include "parsers/utf8.h"

namespace faultline {
namespace {

using Json = nlohmann::json;

bool base64url(std::string_view text, std::string& out) {
  Base64Error error;
  out.clear();
  return base64_decode(text, out, error, Base64Alphabet::url);
}

// EVP_PKEY from the big-endian modulus and exponent of a JWK.
EVP_PKEY* rsa_key(const std::string& n, const std::string& e) {
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  BIGNUM* modulus = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  EVP_PKEY* key = nullptr;
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (builder && modulus && exponent && context && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, modulus) &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, exponent) &&
      (params = OSSL_PARAM_BLD_to_param(builder)) && EVP_PKEY_fromdata_init(context) == 1) {
    if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  BN_free(exponent);
  BN_free(modulus);
  OSSL_PARAM_BLD_free(builder);
  return key;
}

bool rs256_valid(const EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool valid = context &&
               EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, const_cast<EVP_PKEY*>(key)) == 1 &&
               EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(context);
  return valid;
}

// A JWK's string member `keys[i].name`; false with `error` naming it when it is
// missing or of another type.
bool jwk_string(const Json& key, const std::string& where, const char* name, std::string& out, std::string& error) {
  auto it = key.find(name);
  if (it == key.end() || !it->is_string()) {
    error = where + "." + name + (it == key.end() ? ": missing" : std::string(": expected a string, got ") + it->type_name());
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool jwk_bytes(const Json& key, const std::string& where, const char* name, std::string& out, std::string& error) {
  std::string text;
  if (!jwk_string(key, where, name, text, error)) return false;
  if (base64url(text, out)) return true;
  error = where + "." + name + ": not base64url";
  return false;
}

// A string member of the token's header or claims: "" when absent; false with
// `reason` when it has another type (a client's mistake, answered 401 like any).
bool token_string(const Json& object, const char* part, const char* name, std::string& out, std::string& reason) {
  out.clear();
  auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) {
    reason = std::string(part) + " " + name + " must be a string, got " + it->type_name();
    return false;
  }
  out = it->get<std::string>();
  return true;
}

// NumericDate claims beyond this many seconds from 1970 are clamped to it, so
// that comparing them with now ± clock_skew cannot overflow; clamping changes
// no decision (it is about 35,000 years).
constexpr int64_t kFarSeconds = int64_t{1} << 40;

bool seconds_claim(const Json& claims, const char* name, std::optional<int64_t>& out, std::string& reason) {
  auto it = claims.find(name);
  if (it == claims.end()) return true;
  if (it->is_number_unsigned()) {
    out = static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), kFarSeconds));
  } else if (it->is_number_integer()) {
    out = std::clamp<int64_t>(it->get<int64_t>(), -kFarSeconds, kFarSeconds);
  } else if (it->is_number_float()) {
    // Clamped as a double: converting one beyond int64 would be undefined.
    out = static_cast<int64_t>(std::floor(std::clamp<double>(it->get<double>(), -kFarSeconds, kFarSeconds)));
  } else {
    reason = std::string("JWT ") + name + " must be a number of seconds, got " + it->type_name();
    return false;
  }
  return true;
}

// A token's own text quoted in a reason: short, and safe in a log line.
std::string excerpt(std::string_view text) { return "'" + printable_excerpt(text, 64) + "'"; }

}  // namespace

void Jwks::KeyFree::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

std::shared_ptr<const Jwks> Jwks::parse(std::string_view json, std::string& error) {
  const Json document = Json::parse(json, nullptr, false);
  const auto keys = document.is_object() ? document.find("keys") : document.end();
  if (!document.is_object() || keys == document.end() || !keys->is_array()) {
    error = "not a JWKS document (expected {\"keys\": [...]})";
    return nullptr;
  }
  std::shared_ptr<Jwks> jwks(new Jwks());
  for (size_t i = 0; i < keys->size(); ++i) {
    const Json& key = (*keys)[i];
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (!key.is_object()) {
      error = where + ": expected an object, got " + std::string(key.type_name());
      return nullptr;
    }
    std::string kty, kid, n, e;
    if (!jwk_string(key, where, "kty", kty, error)) return nullptr;
    if (kty != "RSA") continue;  // EC and other key types never sign RS256
    if (!jwk_string(key, where, "kid", kid, error) || !jwk_bytes(key, where, "n", n, error) ||
        !jwk_bytes(key, where, "e", e, error))
      return nullptr;
    std::unique_ptr<evp_pkey_st, KeyFree> pkey(rsa_key(n, e));
    if (!pkey) {
      error = where + ": n and e do not make an RSA public key";
      return nullptr;
    }
    jwks->keys_.emplace(kid, std::move(pkey));  // a repeated kid keeps its first key
  }
  if (jwks->keys_.empty()) {
    error = "the JWKS document has no usable RSA key";
    return nullptr;
  }
  return jwks;
}

const evp_pkey_st* Jwks::key(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

JwtResult verify_jwt(std::string_view token, const Jwks& keys, const JwtPolicy& policy, Timestamp now) {
  JwtResult result;
  auto fail = [&](std::string reason) {
    result.reason = std::move(reason);
    return result;
  };
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return fail("not a JWT (expected three dot-separated parts)");

  std::string header_text, payload_text, signature;
  if (!base64url(token.substr(0, first), header_text) || !base64url(token.substr(first + 1, second - first - 1), payload_text) ||
      !base64url(token.substr(second + 1), signature))
    return fail("not a JWT (a part is not base64url)");
  const Json header = Json::parse(header_text, nullptr, false);
  const Json claims = Json::parse(payload_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return fail("not a JWT (header or payload is not a JSON object)");

  std::string alg, reason;
  if (!token_string(header, "JWT header", "alg", alg, reason) || !token_string(header, "JWT header", "kid", result.kid, reason))
    return fail(reason);
  if (alg != "RS256") return fail("JWT alg must be RS256, got " + excerpt(alg));
  if (!header.contains("kid")) return fail("JWT header has no kid");
  const evp_pkey_st* key = keys.key(result.kid);
  if (!key) {
    result.unknown_key = true;
    return fail("JWT signed with unknown key id " + excerpt(result.kid));
  }
  if (!rs256_valid(key, token.substr(0, second), signature)) return fail("JWT signature does not verify");

  std::string issuer;
  if (!token_string(claims, "JWT", "iss", issuer, reason)) return fail(reason);
  if (std::find(policy.issuers.begin(), policy.issuers.end(), issuer) == policy.issuers.end())
    return fail("JWT issuer " + excerpt(issuer) + " is not accepted");
  bool audience_ok = false;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (!aud->is_string() && !aud->is_array())
      return fail(std::string("JWT aud must be a string or an array of strings, got ") + aud->type_name());
    if (aud->is_string()) audience_ok = *aud == policy.audience;
    if (aud->is_array())
      audience_ok = std::any_of(aud->begin(), aud->end(), [&](const auto& a) { return a == policy.audience; });
  }
  if (!audience_ok) return fail("JWT audience does not match auth.oidc_audience");

  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t skew = std::clamp<int64_t>(policy.clock_skew.count(), 0, kFarSeconds);
  std::optional<int64_t> exp, iat, nbf;
  if (!seconds_claim(claims, "exp", exp, reason) || !seconds_claim(claims, "iat", iat, reason) ||
      !seconds_claim(claims, "nbf", nbf, reason))
    return fail(reason);
  if (!exp) return fail("JWT has no exp claim");
  if (*exp + skew <= now_s) return fail("JWT expired " + format_duration(std::chrono::seconds(now_s - *exp)) + " ago");
  for (auto [name, at] : {std::pair{"iat", iat}, std::pair{"nbf", nbf}})
    if (at && *at - skew > now_s)
      return fail(std::string("JWT ") + name + " is " + format_duration(std::chrono::seconds(*at - now_s)) + " in the future");

  if (!token_string(claims, "JWT", "email", result.email, reason)) return fail(reason);
  if (!policy.emails.empty()) {
    if (std::find(policy.emails.begin(), policy.emails.end(), result.email) == policy.emails.end())
      return fail("JWT email " + excerpt(result.email) + " is not in auth.oidc_emails");
    auto verified = claims.find("email_verified");
    if (verified == claims.end() || !(*verified == true || *verified == "true"))
      return fail("JWT email is not verified");
  }
  result.ok = true;
  return result;
}

}  // namespace faultline
