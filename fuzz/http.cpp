// Fuzz target: the raw bytes of one connection, served by the daemon's own code.
// HttpSession (server/http_session.h) reads them from a beast::test::stream, as
// Beast's own fuzzers do, and the daemon's routes (server/routes_*.cpp) answer
// them over a ServeContext like serve's: tokens configured (the seeds carry
// them, fuzz/make_seeds.py), the bundled rule pack, worker pools, and a store
// that commits nothing (a fuzz run must not touch the disk; the stores have
// tests of their own). Each input gets a fresh pipeline, metrics and router, so
// that what it does never depends on the inputs before it.
//
// The bytes arrive in reads of at most 4096 bytes, or 7 when the input's length
// is odd, so that requests split across reads at any point are parsed too. Then
// the client has sent everything and waits for the connection to close.
//
// Checks, besides the sanitizers: the session ends, every call answered and the
// connection closed (else the run hangs, and libFuzzer reports a timeout);
// nothing was logged at error level (a handler that threw, a failed job: the
// 500s the daemon must never give); and, unless the input can hold a HEAD
// request (whose answer has no body, so that the answers cannot be told apart
// without the requests), what was written is a series of HTTP responses, none a
// 500, nothing after one that closes the connection.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "fuzz/fuzz_support.h"
#include "incidents/pipeline.h"
#include "rules/rule_set.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/http/http_session.h"
#include "server/http/worker_pool.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/rule_reloader.h"
#include "store/commit_point.h"

namespace beast = boost::beast;
namespace net = boost::asio;

template <>
struct faultline::StreamOps<beast::test::stream> {
  // No clock in a fuzz run: the end of the input ends every wait.
  static void expires_after(beast::test::stream&, std::chrono::nanoseconds) {}
  static void cancel(beast::test::stream& stream) { stream.close(); }
  // The linger then reads what is left of the input.
  static bool shutdown_send(beast::test::stream&) { return true; }
  static void close(beast::test::stream& stream) { stream.close(); }
};

namespace {

using faultline::fuzz::require;
namespace http = beast::http;

// Also in fuzz/make_seeds.py and fuzz/dict/http.dict.
constexpr const char* kIngestToken = "fuzz-ingest-token-0123456789";
constexpr const char* kReadToken = "fuzz-read-token-0123456789";
constexpr const char* kWriteToken = "fuzz-write-token-0123456789";

// Commits nothing, and never fails.
class NoStore final : public faultline::CommitPoint {
 public:
  uint64_t sealed() const override { return 0; }
  void sync(uint64_t, const Undo&) override {}
  bool healthy() const override { return true; }
};

// What lives across inputs: configuration, compiled rules, threads.
struct Shared {
  net::io_context ioc;  // before the pools: their threads may still be letting go of a session
  faultline::ServeConfig config;
  std::shared_ptr<const faultline::RuleSet> rules;
  char* log_text = nullptr;
  size_t log_size = 0;
  std::FILE* log_file = open_memstream(&log_text, &log_size);
  faultline::Logger log{faultline::LogLevel::error, log_file};
  faultline::WorkerPool ingest_pool{"ingest", 2, 16, log};
  faultline::WorkerPool api_pool{"api", 1, 16, log};
  faultline::Authenticator auth;

  static faultline::ServeConfig make_config() {
    faultline::ServeConfig config;
    config.rules = FAULTLINE_FUZZ_RULES;
    config.auth.ingest_tokens = {kIngestToken};
    config.auth.read_tokens = {kReadToken};
    config.auth.write_tokens = {kWriteToken};
    return config;
  }
  static faultline::Timestamp now() {
    return faultline::Timestamp{std::chrono::sys_days{std::chrono::September / 16 / 2025} + std::chrono::hours(1)};
  }

  Shared() : config(make_config()), auth(config.auth, log, now) {
    std::vector<faultline::RuleProblem> problems;
    rules = faultline::RuleSet::load(config.rules, problems);
    require(rules != nullptr, "the bundled rule pack does not load: " + config.rules);
  }
};

struct Host final : faultline::SessionHost {
  Host(Shared& shared, const faultline::Router& router) : SessionHost(options(shared.config), router, shared.log, {}) {}

  static faultline::HttpServerOptions options(const faultline::ServeConfig& config) {
    faultline::HttpServerOptions o;
    o.max_body = config.limits.max_body;
    o.max_header = config.limits.max_header;
    return o;
  }
  void session_closed(uint64_t) override {}  // the deleter in LLVMFuzzerTestOneInput sees the end
};

// Every response in `output`, in order: none a 500, none after one that closes.
void check_responses(std::string_view output) {
  beast::flat_buffer buffer;
  buffer.commit(net::buffer_copy(buffer.prepare(output.size()), net::buffer(output.data(), output.size())));
  while (buffer.size() > 0) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    beast::error_code ec;
    while (!ec && !parser.is_done()) {
      const size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec != http::error::need_more) continue;
      ec = {};
      if (used == 0) parser.put_eof(ec);  // the output ends here: mid-response, or a body ended by the close
    }
    require(!ec, "the session wrote something that is not an HTTP response: " + ec.message());
    const auto& response = parser.get();
    require(response.result_int() != 500, "a 500: " + response.body());
    if (response.result_int() >= 200 && !response.keep_alive())
      require(buffer.size() == 0, "the session wrote after a response that closes the connection");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Shared shared;
  const std::string_view input = faultline::fuzz::bytes(data, size);

  faultline::Metrics metrics({shared.config.limits.max_service_labels, "fuzz"});
  faultline::PipelineConfig pipeline_config;
  pipeline_config.correlator = shared.config.correlation;
  faultline::Pipeline pipeline(shared.rules, pipeline_config, &Shared::now);
  pipeline.set_observer(&metrics);
  NoStore store;
  faultline::RuleReloader reloader(shared.config.rules, pipeline, metrics, shared.log);
  std::atomic<bool> draining{false};
  faultline::ServeContext context{shared.config,
                                  pipeline,
                                  store,
                                  metrics,
                                  shared.log,
                                  shared.ingest_pool,
                                  shared.api_pool,
                                  reloader,
                                  shared.auth,
                                  /*alerts=*/nullptr,
                                  /*replicator=*/nullptr,
                                  &Shared::now,
                                  draining};
  faultline::Router router;
  faultline::add_ingest_routes(router, context);
  faultline::add_api_routes(router, context);
  faultline::add_ops_routes(router, context);
  faultline::add_web_routes(router, context);

  Host host(shared, router);
  beast::test::stream server(shared.ioc), client(shared.ioc);
  server.connect(client);
  server.read_size(size % 2 == 1 ? 7 : 4096);
  server.append(input);
  server.close_remote();  // the client has sent everything
  // The I/O runs here until the session is gone, stream and all; the last hold on
  // it may be a worker's, so the deleter says when.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work(shared.ioc.get_executor());
  using Session = faultline::HttpSession<beast::test::stream>;
  std::shared_ptr<Session>(new Session(host, std::move(server), 0), [&](Session* session) {
    delete session;
    net::post(shared.ioc, [&] { work.reset(); });
  })->start();
  shared.ioc.restart();
  shared.ioc.run();

  // To see what an input got: FAULTLINE_FUZZ_DUMP=1 fuzz_http INPUT
  if (std::getenv("FAULTLINE_FUZZ_DUMP")) std::fwrite(client.str().data(), 1, client.str().size(), stdout);
  std::fflush(shared.log_file);
  require(shared.log_size == 0, "logged at error level: " + std::string(shared.log_text, shared.log_size));
  if (input.find("HEAD") == std::string_view::npos) check_responses(client.str());
  return 0;
}
