#include "server/auth/jwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "parsers/base64.h"

namespace faultline {
namespace {

bool base64url(std::string_view text, std::string& out) {
  Base64Error error;
  out.clear();
  return base64_decode(text, out, error);
}

std::string ago(std::chrono::seconds s) {
  const auto total = s.count();
  if (total < 60) return std::to_string(total) + "s";
  return std::to_string(total / 60) + "m" + std::to_string(total % 60) + "s";
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

std::optional<int64_t> seconds_claim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->get<int64_t>();
}

}  // namespace

std::shared_ptr<const Jwks> Jwks::parse(std::string_view json, std::string& error) {
  nlohmann::json document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("keys") || !document["keys"].is_array()) {
    error = "not a JWKS document (expected {\"keys\": [...]})";
    return nullptr;
  }
  std::shared_ptr<Jwks> jwks(new Jwks());
  for (const auto& key : document["keys"]) {
    if (!key.is_object() || key.value("kty", "") != "RSA" || !key.contains("kid")) continue;
    std::string n, e;
    if (!key["kid"].is_string() || !key.contains("n") || !key.contains("e") || !key["n"].is_string() ||
        !key["e"].is_string() || !base64url(key["n"].get<std::string>(), n) ||
        !base64url(key["e"].get<std::string>(), e))
      continue;
    if (EVP_PKEY* pkey = rsa_key(n, e)) {
      auto [it, inserted] = jwks->keys_.emplace(key["kid"].get<std::string>(), pkey);
      if (!inserted) EVP_PKEY_free(pkey);
    }
  }
  if (jwks->keys_.empty()) {
    error = "the JWKS document has no usable RSA key";
    return nullptr;
  }
  return jwks;
}

Jwks::~Jwks() {
  for (auto& [kid, key] : keys_) EVP_PKEY_free(key);
}

const evp_pkey_st* Jwks::key(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
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
  const nlohmann::json header = nlohmann::json::parse(header_text, nullptr, false);
  const nlohmann::json claims = nlohmann::json::parse(payload_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return fail("not a JWT (header or payload is not a JSON object)");

  if (header.value("alg", "") != "RS256") return fail("JWT alg must be RS256, got '" + header.value("alg", "") + "'");
  result.kid = header.value("kid", "");
  const evp_pkey_st* key = keys.key(result.kid);
  if (!key) {
    result.unknown_key = true;
    return fail("JWT signed with unknown key id '" + result.kid + "'");
  }
  if (!rs256_valid(key, token.substr(0, second), signature)) return fail("JWT signature does not verify");

  const std::string issuer = claims.value("iss", "");
  if (std::find(policy.issuers.begin(), policy.issuers.end(), issuer) == policy.issuers.end())
    return fail("JWT issuer '" + issuer + "' is not accepted");
  bool audience_ok = false;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) audience_ok = *aud == policy.audience;
    if (aud->is_array())
      audience_ok = std::any_of(aud->begin(), aud->end(), [&](const auto& a) { return a == policy.audience; });
  }
  if (!audience_ok) return fail("JWT audience does not match auth.oidc.audience");

  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t skew = policy.clock_skew.count();
  auto exp = seconds_claim(claims, "exp");
  if (!exp) return fail("JWT has no exp claim");
  if (*exp + skew <= now_s) return fail("JWT expired " + ago(std::chrono::seconds(now_s - *exp)) + " ago");
  for (const char* name : {"iat", "nbf"})
    if (auto at = seconds_claim(claims, name); at && *at - skew > now_s)
      return fail(std::string("JWT ") + name + " is " + ago(std::chrono::seconds(*at - now_s)) + " in the future");

  result.email = claims.value("email", "");
  if (!policy.emails.empty()) {
    if (std::find(policy.emails.begin(), policy.emails.end(), result.email) == policy.emails.end())
      return fail("JWT email '" + result.email + "' is not in auth.oidc.emails");
    auto verified = claims.find("email_verified");
    if (verified == claims.end() || !(*verified == true || *verified == "true"))
      return fail("JWT email is not verified");
  }
  result.ok = true;
  return result;
}

}  // namespace faultline
