// Fuzz target: raw bytes of one connection as the daemon reads them, without a
// socket. The seam is what a Session in server/http_server.cpp does per request:
// a fresh Beast request_parser with the daemon's header and body limits
// (ServeLimits defaults), read_header then read over one flat_buffer (so
// pipelined requests follow each other), then split_target and Router::dispatch
// over the daemon's route table (server/routes_*.cpp). Handlers are stubs that do
// what the real ones do to a request before the pipeline: the ingest routes
// gunzip (limits.max_decompressed_body) and parse the body with their endpoint's
// format and query parameters; the others echo their path parameters and query.
// Every response is then serialised as the server writes it.
//
// The bytes arrive in reads of 4096 bytes (the session's first read), or of 7
// bytes when the input's length is odd, so that requests split across reads at
// any point are parsed too.
//
// Checks: nothing throws out of parsing or routing, every dispatched call is
// answered exactly once (by its handler or by the router's 404/405), parsed
// records keep parse.h's promises.
#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "fuzz/fuzz_support.h"
#include "parsers/gzip.h"
#include "server/config.h"
#include "server/http/http_message.h"
#include "server/http/router.h"

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using faultline::CallPtr;
using faultline::HttpCall;
using faultline::InputFormat;
using faultline::Response;
using faultline::Router;
using faultline::fuzz::require;
namespace http = beast::http;

const faultline::ServeLimits kLimits{};

// A SyncReadStream over the fuzz input: at most `chunk` bytes per read, then eof.
class InputStream {
 public:
  InputStream(std::string_view input, size_t chunk) : input_(input), chunk_(chunk) {}

  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    if (input_.empty()) {
      ec = net::error::eof;
      return 0;
    }
    ec = {};
    const size_t n = net::buffer_copy(buffers, net::buffer(input_.data(), std::min(chunk_, input_.size())));
    input_.remove_prefix(n);
    return n;
  }
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  bool exhausted() const { return input_.empty(); }

 private:
  std::string_view input_;
  size_t chunk_;
};

void ingest_stub(const CallPtr& call, InputFormat format, bool raw) {
  const faultline::Request& request = call->request;
  std::string encoding(request[http::field::content_encoding]);
  std::transform(encoding.begin(), encoding.end(), encoding.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view body = request.body();
  std::string inflated;
  if (encoding == "gzip" || encoding == "x-gzip" || faultline::looks_gzipped(body)) {
    faultline::GunzipResult result = faultline::gunzip(body, kLimits.max_decompressed_body);
    require(result.status == faultline::GunzipStatus::ok || result.data.empty(), "gunzip failed but returned data");
    require(result.data.size() <= kLimits.max_decompressed_body, "gunzip went over its limit");
    if (result.status != faultline::GunzipStatus::ok) {
      call->respond(faultline::problem_response(faultline::Problem{400, "malformed-gzip", "Bad Request", result.error}));
      return;
    }
    inflated = std::move(result.data);
    body = inflated;
  }
  faultline::ParseOptions options;
  options.max_line_bytes = kLimits.max_line;
  options.max_records = kLimits.max_records;
  if (raw) {
    options.service = std::string(call->param("service").value_or(""));
    options.revision = std::string(call->param("revision").value_or(""));
    options.instance = std::string(call->param("instance").value_or(""));
  }
  faultline::fuzz::check_parse(body, format, options);
  faultline::ParseResult parsed = faultline::parse_input(body, format, options);
  nlohmann::json rejected = nlohmann::json::array();
  for (const faultline::RecordError& e : parsed.errors) rejected.push_back(e.describe());
  call->respond(faultline::json_response(http::status::ok,
                                         {{"accepted", parsed.records.size()}, {"rejected", rejected}}));
}

void echo_stub(const CallPtr& call) {
  nlohmann::json query = nlohmann::json::object();
  for (const auto& [name, value] : call->query) query[name] = value;
  call->respond(faultline::json_response(http::status::ok, {{"path", call->path},
                                                             {"params", call->path_params},
                                                             {"query", query}}));
}

const Router& daemon_routes() {
  static const Router router = [] {
    Router r;
    r.add(http::verb::post, "/v1/push/pubsub", [](const CallPtr& c) { ingest_stub(c, InputFormat::pubsub, false); });
    r.add(http::verb::post, "/v1/logs", [](const CallPtr& c) { ingest_stub(c, InputFormat::ndjson, false); });
    r.add(http::verb::post, "/v1/logs/raw", [](const CallPtr& c) { ingest_stub(c, InputFormat::text, true); });
    r.add(http::verb::post, "/loki/api/v1/push", [](const CallPtr& c) { ingest_stub(c, InputFormat::loki, false); });
    r.add(http::verb::get, "/api/v1/incidents", echo_stub);
    r.add(http::verb::get, "/api/v1/incidents/{id}", echo_stub);
    r.add(http::verb::post, "/api/v1/incidents/{id}/ack", echo_stub);
    r.add(http::verb::post, "/api/v1/incidents/{id}/resolve", echo_stub);
    r.add(http::verb::get, "/api/v1/stats/mttr", echo_stub);
    r.add(http::verb::get, "/api/v1/rules", echo_stub);
    r.add(http::verb::get, "/healthz", echo_stub);
    r.add(http::verb::get, "/readyz", echo_stub);
    r.add(http::verb::get, "/metrics", echo_stub);
    r.add(http::verb::post, "/-/reload", echo_stub);
    return r;
  }();
  return router;
}

// As Session::write: the request's version, keep-alive, Server, prepare_payload.
void serialise(Response& response, unsigned version, bool keep_alive) {
  response.version(version);
  response.keep_alive(keep_alive);
  response.set(http::field::server, "faultline");
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  require(!out.str().empty(), "a response serialised to nothing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Router& router = daemon_routes();
  InputStream stream(faultline::fuzz::bytes(data, size), size % 2 == 1 ? 7 : 4096);
  beast::flat_buffer buffer;
  // Requests on one kept-alive connection, as long as the client keeps sending.
  for (int requests = 0; requests < 16 && (buffer.size() > 0 || !stream.exhausted()); ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kLimits.max_header));
    parser.body_limit(static_cast<std::uint64_t>(kLimits.max_body));
    beast::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done()) http::read(stream, buffer, parser, ec);  // after any 100 Continue
    if (ec) {
      // The session answers 413 / 431 / 400 and closes.
      Response response = faultline::problem_response(
          faultline::Problem{400, "malformed-http", "Bad Request", "Malformed HTTP request: " + ec.message() + "."});
      serialise(response, parser.is_header_done() ? parser.get().version() : 11, false);
      return 0;
    }

    std::vector<Response> answers;
    auto call = std::make_shared<HttpCall>(
        HttpCall{parser.release(), {}, {}, {}, faultline::Responder([&answers](Response&& r) { answers.push_back(std::move(r)); })});
    const unsigned version = call->request.version();
    const bool keep_alive = call->request.keep_alive();
    if (!faultline::split_target(call->request.target(), call->path, call->query)) {
      call->respond(faultline::problem_response(faultline::Problem{400, "bad-target", "Bad Request", "bad target"}));
    } else {
      require(!call->path.empty() && call->path.front() == '/', "split_target accepted a path not starting with '/'");
      router.dispatch(call);
    }
    require(call->respond.answered(), "a call was left unanswered");
    call.reset();
    require(answers.size() == 1, "a call was answered " + std::to_string(answers.size()) + " times");
    serialise(answers.front(), version, keep_alive);
    if (!keep_alive) break;
  }
  return 0;
}
