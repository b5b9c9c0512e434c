#include <doctest/doctest.h>

#include "server/http/router.h"

namespace faultline {
namespace {

struct Answer {
  std::optional<Response> response;
};

CallPtr make_call(http::verb method, std::string target, std::shared_ptr<Answer> answer) {
  auto call = std::make_shared<HttpCall>(HttpCall{Request{method, target, 11}, {}, {}, {},
                                                  Responder([answer](Response&& r) { answer->response = std::move(r); })});
  REQUIRE(split_target(target, call->path, call->query));
  return call;
}

}  // namespace

TEST_CASE("routes match literal and {param} segments, 404 and 405 are problems") {
  Router router;
  std::string seen;
  router.add(http::verb::get, "/api/v1/incidents/{id}", [&](const CallPtr& call) {
    seen = call->path_params.at(0);
    call->respond(json_response(http::status::ok, {{"ok", true}}));
  });
  router.add(http::verb::post, "/api/v1/incidents/{id}/ack", [&](const CallPtr& call) {
    call->respond(json_response(http::status::ok, {}));
  });

  auto answer = std::make_shared<Answer>();
  router.dispatch(make_call(http::verb::get, "/api/v1/incidents/abc?x=1", answer));
  CHECK(seen == "abc");
  CHECK(answer->response->result_int() == 200);

  answer = std::make_shared<Answer>();
  router.dispatch(make_call(http::verb::get, "/api/v1/incidents/abc/ack", answer));
  CHECK(answer->response->result_int() == 405);
  CHECK((*answer->response)[http::field::allow] == "POST");
  CHECK((*answer->response)[http::field::content_type] == "application/problem+json");

  answer = std::make_shared<Answer>();
  router.dispatch(make_call(http::verb::get, "/api/v1/incidents/", answer));
  CHECK(answer->response->result_int() == 404);
}

TEST_CASE("admit answers on the headers (404, 405, a guard's refusal), and dispatch checks the guard of a call not admitted") {
  Router router;
  int handled = 0;
  router.add(
      http::verb::post, "/guarded",
      [&](const CallPtr& call) {
        ++handled;
        call->respond(json_response(http::status::ok, {}));
      },
      [](const RequestHead& head) -> std::optional<Response> {
        if (head.header[http::field::authorization] == "Bearer yes" || head.param("token") == "yes") return std::nullopt;
        return problem_response(Problem{401, "unauthorized", "Unauthorized", "no credential"});
      });

  Request header{http::verb::post, "/guarded", 11};
  std::string path = "/guarded";
  QueryParams query;
  CHECK(router.admit({header, path, query})->result_int() == 401);
  query["token"] = "yes";
  CHECK_FALSE(router.admit({header, path, query}));
  query.clear();
  header.set(http::field::authorization, "Bearer yes");
  CHECK_FALSE(router.admit({header, path, query}));
  header.method(http::verb::get);
  auto refused = router.admit({header, path, query});
  REQUIRE(refused);
  CHECK(refused->result_int() == 405);
  CHECK((*refused)[http::field::allow] == "POST");
  path = "/elsewhere";
  CHECK(router.admit({header, path, query})->result_int() == 404);
  CHECK(handled == 0);

  auto answer = std::make_shared<Answer>();
  router.dispatch(make_call(http::verb::post, "/guarded", answer));
  CHECK(answer->response->result_int() == 401);
  CHECK(handled == 0);
  answer = std::make_shared<Answer>();
  auto admitted = make_call(http::verb::post, "/guarded", answer);
  admitted->admitted = true;  // as the server does once admit() let it through
  router.dispatch(admitted);
  CHECK(answer->response->result_int() == 200);
  CHECK(handled == 1);
}

TEST_CASE("targets: percent-decoding and query parameters") {
  std::string path;
  QueryParams query;
  CHECK(split_target("/v1/logs/raw?service=my%20svc&revision=r+1&flag&service=second", path, query));
  CHECK(path == "/v1/logs/raw");
  CHECK(query.at("service") == "my svc");
  CHECK(query.at("revision") == "r 1");
  CHECK(query.at("flag").empty());
  CHECK_FALSE(split_target("/x?a=%zz", path, query));
  // absolute-form is routed on its path (RFC 9112 §3.2.2)
  CHECK(split_target("http://host/x?a=1", path, query));
  CHECK(path == "/x");
  CHECK(query.at("a") == "1");
  CHECK(split_target("HTTPS://host:8443", path, query));
  CHECK(path == "/");
  CHECK(split_target("http://host?b=2", path, query));
  CHECK(path == "/");
  CHECK(query.at("b") == "2");
  CHECK_FALSE(split_target("ftp://host/x", path, query));
  CHECK_FALSE(split_target("http:///x", path, query));
  CHECK_FALSE(split_target("host:80", path, query));
  CHECK_FALSE(split_target("*", path, query));
}

TEST_CASE("a responder answers once and a dropped one answers 500") {
  int sent = 0;
  int status = 0;
  {
    Responder responder([&](Response&& r) {
      ++sent;
      status = r.result_int();
    });
    responder(json_response(http::status::ok, {}));
    responder(json_response(http::status::accepted, {}));
  }
  CHECK(sent == 1);
  CHECK(status == 200);
  { Responder dropped([&](Response&& r) { status = r.result_int(); }); }
  CHECK(status == 500);
}

}  // namespace faultline
