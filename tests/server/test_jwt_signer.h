// Test support: an RSA key that signs JWTs the way Google signs Pub/Sub push
// tokens, and publishes itself as a JWKS document.
#pragma once

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/base64.h"

namespace faultline::testing {

inline std::string base64url(std::string_view bytes) { return base64_encode(bytes, Base64Alphabet::url); }

class TestSigningKey {
 public:
  // `bits`: 2048 as Google signs; the fuzz target signs every input with a smaller, faster key.
  explicit TestSigningKey(std::string kid, unsigned bits = 2048) : kid_(std::move(kid)), key_(EVP_RSA_gen(bits)) {
    if (!key_) throw std::runtime_error("RSA key generation failed");
  }
  ~TestSigningKey() { EVP_PKEY_free(key_); }
  TestSigningKey(const TestSigningKey&) = delete;
  TestSigningKey& operator=(const TestSigningKey&) = delete;

  const std::string& kid() const { return kid_; }

  nlohmann::json jwk() const {
    return {{"kty", "RSA"}, {"alg", "RS256"}, {"use", "sig"}, {"kid", kid_},
            {"n", base64url(bignum(OSSL_PKEY_PARAM_RSA_N))}, {"e", base64url(bignum(OSSL_PKEY_PARAM_RSA_E))}};
  }

  // header.payload.signature; `kid` overrides the header's key id.
  std::string sign(const nlohmann::json& claims, std::string alg = "RS256", std::string kid = "") const {
    return sign_with_header({{"alg", alg}, {"kid", kid.empty() ? kid_ : kid}, {"typ", "JWT"}}, claims);
  }

  // Signs whatever header it is given: a validly signed token with a malformed header.
  std::string sign_with_header(const nlohmann::json& header, const nlohmann::json& claims) const {
    return sign_texts(header.dump(), claims.dump());
  }

  // Signs any header and claims text, JSON or not.
  std::string sign_texts(std::string_view header, std::string_view claims) const {
    const std::string signed_part = base64url(header) + "." + base64url(claims);
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    size_t length = 0;
    std::string signature;
    if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
        EVP_DigestSign(context, nullptr, &length, reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1) {
      signature.resize(length);
      EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
      signature.resize(length);
    }
    EVP_MD_CTX_free(context);
    return signed_part + "." + base64url(signature);
  }

 private:
  std::string bignum(const char* name) const {
    BIGNUM* value = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &value);
    std::string bytes(static_cast<size_t>(BN_num_bytes(value)), '\0');
    BN_bn2bin(value, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(value);
    return bytes;
  }

  std::string kid_;
  EVP_PKEY* key_;
};

inline nlohmann::json jwks_of(std::initializer_list<const TestSigningKey*> keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const TestSigningKey* key : keys) list.push_back(key->jwk());
  return {{"keys", list}};
}

// The claims of a Pub/Sub push token, valid now.
inline nlohmann::json push_claims(const std::string& audience, const std::string& email) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  return {{"iss", "https://accounts.google.com"}, {"aud", audience}, {"email", email}, {"email_verified", true},
          {"iat", now - 10}, {"exp", now + 3600}, {"sub", "1234567890"}};
}

}  // namespace faultline::testing
