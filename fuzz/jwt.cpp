// Fuzz target: Pub/Sub push OIDC tokens and key sets (server/jwt.h), what
// POST /v1/push/pubsub verifies before anything else and what the JWKS file or
// URL provides.
//
// The input is split at its first two newlines into a JWT header, its claims
// and a JWKS document (missing parts are empty). The header and claims are
// signed with the key of a fixed key set, so that the checks after the
// signature (issuer, audience, times, email) run on fuzzed JSON too; the whole
// input is also verified as a token as it is.
//
// Checks: neither Jwks::parse nor verify_jwt throws; parse returns keys exactly
// when it reports no error; a refusal has a reason and an acceptance none, and
// every reason is valid UTF-8 (it goes into a 401 body and the log).
#include <string>

#include "fuzz/fuzz_support.h"
#include "parsers/utf8.h"
#include "server/auth/jwt.h"
#include "tests/server/test_jwt_signer.h"

namespace {

using faultline::Jwks;
using faultline::JwtResult;
using faultline::fuzz::require;

const faultline::Timestamp kNow{std::chrono::seconds(1760000000)};

faultline::JwtPolicy policy() {
  faultline::JwtPolicy p;
  p.audience = "https://faultline.example.com/v1/push/pubsub";
  p.emails = {"pubsub-push@proj.iam.gserviceaccount.com"};
  return p;
}

void check(const JwtResult& result) {
  require(result.ok == result.reason.empty(), "verify_jwt: ok and reason disagree: " + result.reason);
  require(faultline::find_invalid_utf8(result.reason) == std::string_view::npos, "verify_jwt: a reason is not UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // 1024 bits: signing every input with a 2048-bit key would cost most of the run.
  static const faultline::testing::TestSigningKey signer("fuzz", 1024);
  static const std::shared_ptr<const Jwks> fixed = [] {
    std::string error;
    auto keys = Jwks::parse(faultline::testing::jwks_of({&signer}).dump(), error);
    require(keys != nullptr, "the fixed key set does not parse: " + error);
    return keys;
  }();
  static const faultline::JwtPolicy kPolicy = policy();

  const std::string_view input = faultline::fuzz::bytes(data, size);
  const size_t first = input.find('\n');
  const size_t second = first == std::string_view::npos ? first : input.find('\n', first + 1);
  const std::string_view header = input.substr(0, first);
  const std::string_view claims =
      first == std::string_view::npos ? std::string_view() : input.substr(first + 1, second - first - 1);
  const std::string_view jwks = second == std::string_view::npos ? std::string_view() : input.substr(second + 1);

  std::string error;
  auto keys = Jwks::parse(jwks, error);
  require((keys == nullptr) == !error.empty(), "Jwks::parse: a result and its error disagree: " + error);
  require(!keys || keys->size() > 0, "Jwks::parse: a key set without keys");

  const std::string token = signer.sign_texts(header, claims);
  check(verify_jwt(token, *fixed, kPolicy, kNow));
  check(verify_jwt(input, *fixed, kPolicy, kNow));
  if (keys) check(verify_jwt(token, *keys, kPolicy, kNow));
  return 0;
}
