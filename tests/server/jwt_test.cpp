// Pub/Sub push OIDC tokens: what verify_jwt accepts, and the reason it gives
// for each thing it refuses.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <type_traits>

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
  CHECK(reason(with("aud", "https://elsewhere.example.com")) == "JWT audience does not match auth.oidc_audience");
  CHECK(verify_jwt(with("aud", nlohmann::json::array({"x", kAudience})), *jwks, policy(), at).ok);
  CHECK(reason(with("iss", "https://evil.example.com")) == "JWT issuer 'https://evil.example.com' is not accepted");
  CHECK(reason(with("exp", t - 130)) == "JWT expired 2m10s ago");
  CHECK(verify_jwt(with("exp", t - 30), *jwks, policy(), at).ok);  // within the 60 s clock skew
  CHECK(reason(with("exp", nullptr)) == "JWT has no exp claim");
  CHECK(reason(with("iat", t + 600)) == "JWT iat is 10m in the future");
  CHECK(verify_jwt(with("iat", t + 30), *jwks, policy(), at).ok);  // a pusher's clock slightly ahead
  CHECK(reason(with("email", "someone@example.com")) == "JWT email 'someone@example.com' is not in auth.oidc_emails");
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

TEST_CASE("a malformed JWKS key is refused with its index and field, never thrown") {
  TestSigningKey google("k1");
  const nlohmann::json good = google.jwk();
  auto refused = [](nlohmann::json keys) {
    std::string error;
    CHECK_FALSE(Jwks::parse(nlohmann::json{{"keys", keys}}.dump(), error));
    return error;
  };
  auto with = [&](const char* name, nlohmann::json value) {
    auto key = good;
    if (value.is_discarded()) key.erase(name);
    else key[name] = value;
    return nlohmann::json::array({good, key});
  };
  CHECK(refused(with("kty", 5)) == "keys[1].kty: expected a string, got number");
  CHECK(refused(with("kty", nlohmann::json::value_t::discarded)) == "keys[1].kty: missing");
  CHECK(refused(with("kid", nullptr)) == "keys[1].kid: expected a string, got null");
  CHECK(refused(with("n", nlohmann::json::array())) == "keys[1].n: expected a string, got array");
  CHECK(refused(with("e", "A*B")) == "keys[1].e: not base64url");
  CHECK(refused(nlohmann::json::array({good, "RSA"})) == "keys[1]: expected an object, got string");
  // Keys of other types are no one's mistake: skipped, the RSA keys kept.
  std::string error;
  auto keys = Jwks::parse(nlohmann::json{{"keys", {good, {{"kty", "EC"}, {"kid", 7}}}}}.dump(), error);
  REQUIRE_MESSAGE(keys, error);
  CHECK(keys->size() == 1);
}

TEST_CASE("a validly signed JWT whose header or claims have the wrong JSON type is refused naming the member") {
  TestSigningKey google("key-1");
  std::string error;
  auto jwks = Jwks::parse(testing::jwks_of({&google}).dump(), error);
  REQUIRE_MESSAGE(jwks, error);
  const auto claims = push_claims(kAudience, kPusher);
  auto reason = [&](const std::string& token) {
    JwtResult result = verify_jwt(token, *jwks, policy(), now());
    CHECK_FALSE(result.ok);
    return result.reason;
  };
  auto header = [&](const char* name, nlohmann::json value) {
    nlohmann::json h = {{"alg", "RS256"}, {"kid", "key-1"}, {"typ", "JWT"}};
    if (value.is_discarded()) h.erase(name);
    else h[name] = value;
    return google.sign_with_header(h, claims);
  };
  auto claim = [&](const char* name, nlohmann::json value) {
    auto c = claims;
    c[name] = value;
    return google.sign(c);
  };
  CHECK(reason(header("alg", 5)) == "JWT header alg must be a string, got number");
  CHECK(reason(header("kid", nullptr)) == "JWT header kid must be a string, got null");
  CHECK(reason(header("kid", nlohmann::json::value_t::discarded)) == "JWT header has no kid");
  CHECK_FALSE(verify_jwt(header("kid", nlohmann::json::value_t::discarded), *jwks, policy(), now()).unknown_key);
  CHECK(reason(claim("iss", 5)) == "JWT iss must be a string, got number");
  CHECK(reason(claim("aud", {{"a", 1}})) == "JWT aud must be a string or an array of strings, got object");
  CHECK(reason(claim("exp", "tomorrow")) == "JWT exp must be a number of seconds, got string");
  CHECK(reason(claim("iat", true)) == "JWT iat must be a number of seconds, got boolean");
  CHECK(reason(claim("email", nlohmann::json::array())) == "JWT email must be a string, got array");
  // Without an email list the email is not checked, but still read: the same answer.
  JwtPolicy any_email = policy();
  any_email.emails.clear();
  CHECK(verify_jwt(claim("email", 5), *jwks, any_email, now()).reason == "JWT email must be a string, got number");
  // A refused token's own text is quoted short and printable.
  CHECK(reason(header("alg", "HS256\n" + std::string(200, 'x'))).size() < 120);
}

TEST_CASE("exp, iat and nbf at the limits of int64 and beyond compare without overflow") {
  TestSigningKey google("key-1");
  std::string error;
  auto jwks = Jwks::parse(testing::jwks_of({&google}).dump(), error);
  REQUIRE_MESSAGE(jwks, error);
  const auto claims = push_claims(kAudience, kPusher);
  auto verify = [&](const char* name, nlohmann::json value) {
    auto c = claims;
    c[name] = value;
    return verify_jwt(google.sign(c), *jwks, policy(), now());
  };
  constexpr int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  CHECK(verify("exp", max).ok);  // far future: not expired
  CHECK(verify("exp", std::numeric_limits<uint64_t>::max()).ok);
  CHECK(verify("exp", 1e300).ok);
  CHECK(verify("exp", 1.5e9 + 0.5).reason.starts_with("JWT expired "));
  CHECK(verify("exp", min).reason.starts_with("JWT expired "));
  CHECK(verify("exp", -1e300).reason.starts_with("JWT expired "));
  CHECK(verify("iat", max).reason.starts_with("JWT iat is "));
  CHECK(verify("nbf", 1e300).reason.starts_with("JWT nbf is "));
  CHECK(verify("iat", min).ok);
  JwtPolicy lenient = policy();
  lenient.clock_skew = std::chrono::seconds::max();
  auto c = claims;
  c["exp"] = max;
  c["iat"] = max;
  CHECK(verify_jwt(google.sign(c), *jwks, lenient, now()).ok);  // a skew beyond any date accepts any, without overflow
}

// The key set owns OpenSSL keys: a copy would free them twice.
static_assert(!std::is_copy_constructible_v<Jwks> && !std::is_copy_assignable_v<Jwks>);

}  // namespace faultline
