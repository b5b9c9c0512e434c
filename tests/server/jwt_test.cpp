// Pub/Sub push OIDC tokens: what verify_jwt accepts, and the reason it gives
// for each thing it refuses.
#include <doctest/doctest.h>

#include "server/auth/jwt.h"
#include "tests/server/test_jwt_signer.h"

namespace faultline {
namespace {

using testing::push_claims;
using testing::TestSigningKey;

constexpr const char* kAudience = "https://faultline.example.com/v1/push/pubsub";
constexpr const char* kPusher = "pubsub-push@proj.iam.gserviceaccount.com";

Timestamp now() {
  return Timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

JwtPolicy policy() {
  JwtPolicy p;
  p.audience = kAudience;
  p.emails = {kPusher};
  return p;
}

}  // namespace

TEST_CASE("Pub/Sub push JWTs: accepted when every claim holds, refused with the reason otherwise") {
  TestSigningKey google("key-1"), other("key-1"), second("key-2");
  std::string error;
  auto jwks = Jwks::parse(testing::jwks_of({&google, &second}).dump(), error);
  REQUIRE_MESSAGE(jwks, error);
  CHECK(jwks->size() == 2);
  const auto claims = push_claims(kAudience, kPusher);

  JwtResult ok = verify_jwt(google.sign(claims), *jwks, policy(), now());
  CHECK_MESSAGE(ok.ok, ok.reason);
  CHECK(ok.email == kPusher);
  CHECK(verify_jwt(second.sign(claims), *jwks, policy(), now()).ok);  // any key of the set

  // Verified at the second the claims were made for, not whenever the signing is
  // done: "expired 2m10s ago" must not read 2m11s when a second boundary passes.
  const auto t = claims["iat"].get<int64_t>() + 10;  // now, in seconds
  const Timestamp at{std::chrono::seconds(t)};
  auto reason = [&](const std::string& token) { return verify_jwt(token, *jwks, policy(), at).reason; };
  auto with = [&](const char* name, nlohmann::json value) {
    auto c = claims;
    if (value.is_null()) c.erase(name);
    else c[name] = value;
    return google.sign(c);
  };

  CHECK(reason(other.sign(claims)) == "JWT signature does not verify");  // same kid, wrong key
  CHECK(reason(google.sign(claims, "RS256", "rotated")) == "JWT signed with unknown key id 'rotated'");
  CHECK(verify_jwt(google.sign(claims, "RS256", "rotated"), *jwks, policy(), at).unknown_key);
  CHECK(reason(google.sign(claims, "HS256")) == "JWT alg must be RS256, got 'HS256'");
  CHECK(reason(google.sign(claims, "none")) == "JWT alg must be RS256, got 'none'");
  CHECK(reason(with("aud", "https://elsewhere.example.com")) == "JWT audience does not match auth.oidc.audience");
  CHECK(verify_jwt(with("aud", nlohmann::json::array({"x", kAudience})), *jwks, policy(), at).ok);
  CHECK(reason(with("iss", "https://evil.example.com")) == "JWT issuer 'https://evil.example.com' is not accepted");
  CHECK(reason(with("exp", t - 130)) == "JWT expired 2m10s ago");
  CHECK(verify_jwt(with("exp", t - 30), *jwks, policy(), at).ok);  // within the 60 s clock skew
  CHECK(reason(with("exp", nullptr)) == "JWT has no exp claim");
  CHECK(reason(with("iat", t + 600)) == "JWT iat is 10m0s in the future");
  CHECK(verify_jwt(with("iat", t + 30), *jwks, policy(), at).ok);  // a pusher's clock slightly ahead
  CHECK(reason(with("email", "someone@example.com")) == "JWT email 'someone@example.com' is not in auth.oidc.emails");
  CHECK(reason(with("email_verified", false)) == "JWT email is not verified");
  CHECK(reason("abc.def") == "not a JWT (expected three dot-separated parts)");
  CHECK(reason("a.b.c.d") == "not a JWT (expected three dot-separated parts)");
  CHECK(reason("!!.??.**") == "not a JWT (a part is not base64url)");

  // Tampering with the payload after signing breaks the signature.
  std::string token = google.sign(claims);
  const size_t dot = token.find('.');
  auto forged = claims;
  forged["email"] = "attacker@example.com";
  std::string tampered = token.substr(0, dot + 1) + testing::base64url(forged.dump()) + token.substr(token.rfind('.'));
  CHECK(reason(tampered) == "JWT signature does not verify");
}

TEST_CASE("a JWKS document without a usable RSA key is an error naming that") {
  std::string error;
  CHECK_FALSE(Jwks::parse("[]", error));
  CHECK(error == "not a JWKS document (expected {\"keys\": [...]})");
  CHECK_FALSE(Jwks::parse(R"({"keys":[{"kty":"EC","kid":"x","crv":"P-256"}]})", error));
  CHECK(error == "the JWKS document has no usable RSA key");
}

}  // namespace faultline
