// Ingest: body -> (gunzip) -> (unsnappy) -> parse_input -> Pipeline::ingest -> store commit -> 200.
#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "parsers/gzip.h"
#include "parsers/parse.h"
#include "parsers/snappy.h"
#include "server/body_pieces.h"
#include "server/commit_batcher.h"
#include "server/routes.h"
#include "incidents/pipeline.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/otlp_response.h"
#include "server/http/worker_pool.h"
#include "store/commit_point.h"

namespace faultline {
namespace {

// Bodies up to this size (a Pub/Sub push is one LogEntry) are parsed and matched
// on the I/O thread: handing each to a worker costs two context switches, more
// than the work itself. Larger or compressed bodies go to the ingest workers.
constexpr size_t kInlineBody = 64 << 10;

// A larger NDJSON body is parsed and matched a piece of about this size at a
// time (body_pieces.h), so that its records are never all held at once.
constexpr size_t kIngestPiece = 1 << 20;

// Bad records listed in one answer; the rest are counted. Enough to fix a
// shipper's format, small enough that a 100k-line mistake is not echoed back.
constexpr size_t kMaxListedErrors = 100;

enum class Accepts { pubsub, logs, raw, loki };

struct Endpoint {
  std::string_view name;  // metrics label
  InputFormat format;
  Accepts accepts;
};

// What must be undone before parsing: gzip (Content-Encoding, or its magic
// bytes), then snappy (Loki's protobuf push, which is snappy whether or not it
// says Content-Encoding: snappy).
struct BodyCoding {
  bool gzip = false;
  bool snappy = false;
  bool compressed() const { return gzip || snappy; }
};

std::string media_type(const Request& request) {
  std::string value(request[http::field::content_type]);
  if (auto semi = value.find(';'); semi != std::string::npos) value.resize(semi);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value;
}

bool is_json_type(std::string_view type) {
  return type == "application/json" || (type.starts_with("application/") && type.ends_with("+json"));
}

// Protobuf: Loki's push (Promtail, Alloy, the Docker driver, Vector, winston-loki)
// on the Loki route, OTLP/HTTP's binary encoding (the Collector's and SDKs' default) on /v1/logs.
bool is_protobuf_type(std::string_view type) {
  return type == "application/x-protobuf" || type == "application/protobuf";
}

// Fluent Bit's http output says application/msgpack; the other names are in use too.
bool is_msgpack_type(std::string_view type) {
  return type == "application/msgpack" || type == "application/x-msgpack" || type == "application/vnd.msgpack";
}

bool is_lines_type(std::string_view type) {
  return type == "application/x-ndjson" || type == "application/ndjson" || type == "application/jsonl" ||
         type == "application/x-jsonl" || type == "application/jsonlines" || type == "application/x-jsonlines" ||
         type == "application/json-seq";
}

// curl -d / --data-binary sends application/x-www-form-urlencoded unless told
// otherwise, and many shippers say text/plain or octet-stream whatever they send:
// lenient where real clients are, strict where a type says it is something else
// entirely (protobuf outside the Loki route, multipart, images). The body is parsed for
// what it is either way; on the Loki route protobuf selects the protobuf reader.
bool accepted_type(Accepts accepts, std::string_view type) {
  if (type.empty()) return true;
  const bool generic = type == "text/plain" || type == "application/octet-stream" ||
                       type == "application/x-www-form-urlencoded";
  switch (accepts) {
    case Accepts::pubsub: return is_json_type(type) || generic;
    case Accepts::logs:
      return is_json_type(type) || is_lines_type(type) || is_protobuf_type(type) || is_msgpack_type(type) || generic;
    case Accepts::raw: return generic || type.starts_with("text/") || is_json_type(type) || is_lines_type(type);
    case Accepts::loki:
      return is_json_type(type) || is_protobuf_type(type) || type == "application/x-www-form-urlencoded";
  }
  return false;
}

std::string_view accepted_list(Accepts accepts) {
  switch (accepts) {
    case Accepts::pubsub: return "application/json, text/plain, application/octet-stream (or none)";
    case Accepts::logs:
      return "application/json, application/x-ndjson, application/jsonl, application/x-protobuf (OTLP), "
             "application/msgpack (Fluent Bit), text/plain, "
             "application/octet-stream (or none)";
    case Accepts::raw: return "text/plain (any text/*), application/octet-stream (or none)";
    case Accepts::loki: return "application/json (or none), application/x-protobuf (snappy-compressed)";
  }
  return "";
}

std::string config_limit_name(std::string_view parser_limit) {
  if (parser_limit == "max_records") return "limits.max_records";
  if (parser_limit == "max_line_bytes") return "limits.max_line";
  return std::string(parser_limit);
}

nlohmann::json error_json(const RecordError& error) {
  nlohmann::json out = {{"index", error.index}, {"offset", error.offset}, {"error", error.describe()}};
  if (!error.field.empty()) out["field"] = error.field;
  if (!error.limit.empty()) out["limit"] = config_limit_name(error.limit);
  return out;
}

nlohmann::json error_list(const std::vector<RecordError>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < errors.size() && i < kMaxListedErrors; ++i) list.push_back(error_json(errors[i]));
  return list;
}

// Records kept with something ignored: {"index","offset","field","warning"}.
nlohmann::json warning_list(const std::vector<RecordError>& warnings) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < warnings.size() && i < kMaxListedErrors; ++i)
    list.push_back({{"index", warnings[i].index},
                    {"offset", warnings[i].offset},
                    {"field", warnings[i].field},
                    {"warning", warnings[i].describe()}});
  return list;
}

Response unsupported_media_type(const Endpoint& endpoint, std::string_view type) {
  std::string detail = "Content-Type " + std::string(type) + " is not accepted here; send " +
                       std::string(accepted_list(endpoint.accepts)) + ".";
  return problem_response(Problem{415, "unsupported-media-type", "Unsupported Media Type", detail}
                              .with("accepted", accepted_list(endpoint.accepts)));
}

// The answer to an ingest request, and whether it may only be sent once the
// store has committed (the request brought events, or redelivered records whose
// first delivery may still be committing).
struct IngestOutcome {
  IngestOutcome() = default;
  IngestOutcome(Response r, bool commit = false) : response(std::move(r)), needs_commit(commit) {}  // NOLINT: errors convert
  Response response;
  bool needs_commit = false;
};

// A body that decompresses past limits.max_decompressed_body: nothing is read.
Problem decompressed_too_large(ServeContext& context, std::string_view coding) {
  const size_t limit = context.config.limits.max_decompressed_body;
  context.metrics.ingest_rejected("body_too_large");
  return Problem{413, "body-too-large", "Payload Too Large",
              "The " + std::string(coding) + " body decompresses to more than limits.max_decompressed_body (" +
                  std::to_string(limit) + " bytes); send smaller batches."}
      .with("limit", {{"name", "limits.max_decompressed_body"}, {"bytes", limit}});
}

void add_summary(IngestSummary& total, IngestSummary&& piece) {
  total.accepted += piece.accepted;
  total.matched += piece.matched;
  total.duplicates += piece.duplicates;
  total.undecided += piece.undecided;
  std::move(piece.changes.begin(), piece.changes.end(), std::back_inserter(total.changes));
}

// The answer to a body read without a remark, which nearly every push gets:
// written directly rather than through a JSON document (its map nodes, the dump's
// growing string), byte for byte what json_response writes for the same members.
Response clean_ingest_response(const IngestSummary& summary) {
  Response response{http::status::ok, 11};
  response.set(http::field::content_type, "application/json");
  std::string& body = response.body();
  body.reserve(96);
  body.append(R"({"accepted":)").append(std::to_string(summary.accepted));
  body.append(R"(,"duplicates":)").append(std::to_string(summary.duplicates));
  body.append(R"(,"matched":)").append(std::to_string(summary.matched));
  body.append(",\"rejected\":[]}\n");
  return response;
}

IngestOutcome ingest_body(ServeContext& context, const Endpoint& endpoint, const CallPtr& call, BodyCoding coding) {
  const ServeConfig& config = context.config;
  // OTLP senders expect OTLP's answers, refusals included (otlp_response.h): a
  // protobuf body says it is OTLP by its type, a JSON one by its resourceLogs.
  std::optional<OtlpEncoding> otlp;
  InputFormat format = endpoint.format;
  if (endpoint.accepts == Accepts::logs && is_protobuf_type(media_type(call->request))) {
    otlp = OtlpEncoding::protobuf;
    format = InputFormat::otlp_protobuf;
  } else if (endpoint.accepts == Accepts::logs && is_msgpack_type(media_type(call->request))) {
    format = InputFormat::fluent_msgpack;
  }
  auto refuse = [&otlp](const Problem& problem) {
    return otlp ? otlp_status_response(*otlp, problem) : problem_response(problem);
  };
  std::string& wire = call->request.body();
  std::string inflated;
  std::string_view body = wire;
  // Valid snappy cannot start with gzip's magic bytes: a protobuf body is not sniffed.
  if (coding.gzip || (!coding.snappy && looks_gzipped(wire))) {
    GunzipResult result = gunzip(wire, config.limits.max_decompressed_body);
    if (result.status == GunzipStatus::too_large) return refuse(decompressed_too_large(context, "gzip"));
    if (result.status == GunzipStatus::corrupt) {
      context.metrics.ingest_rejected("malformed");
      return refuse(Problem{400, "malformed-gzip", "Bad Request", "The body is not valid gzip: " + result.error + "."}
                        .with("field", "body"));
    }
    inflated = std::move(result.data);
    body = inflated;
  }
  if (coding.snappy) {
    UnsnappyResult result = unsnappy(body, config.limits.max_decompressed_body);
    if (result.status == UnsnappyStatus::too_large) return problem_response(decompressed_too_large(context, "snappy"));
    if (result.status == UnsnappyStatus::corrupt) {
      context.metrics.ingest_rejected("malformed");
      return problem_response(Problem{400, "malformed-snappy", "Bad Request",
                                      "The body is not a valid snappy block (Loki's protobuf push is "
                                      "snappy-compressed): " + result.error + "."}
                                  .with("field", "body"));
    }
    inflated = std::move(result.data);
    body = inflated;
  }

  ParseOptions options;
  options.max_line_bytes = config.limits.max_line;
  options.max_records = config.limits.max_records;
  options.arrival = context.wall_clock();
  // Every route: defaults for the records that name none (a shipper that cannot
  // add a label or field can still say whose logs these are in its URL).
  options.service = std::string(call->param("service").value_or(""));
  options.revision = std::string(call->param("revision").value_or(""));
  options.instance = std::string(call->param("instance").value_or(""));
  // Piece by piece: the records of each piece but the last are matched and
  // correlated once it is read; the last piece's go on as a body's would. Each
  // piece is put in time order on its own. Errors name lines and bytes of the
  // whole body. A body that may hold more than limits.max_records is one piece.
  const std::vector<BodyPiece> pieces =
      format == InputFormat::automatic || format == InputFormat::ndjson
          ? ndjson_pieces(body, kIngestPiece, config.limits.max_records)
          : std::vector<BodyPiece>{BodyPiece{body, 0, 0}};
  ParseResult parsed;
  IngestSummary summary;  // of the pieces before the last
  size_t kept = 0;        // records read, all pieces
  for (size_t i = 0; i < pieces.size(); ++i) {
    options.base_index = pieces[i].first_line;
    options.base_offset = pieces[i].offset;
    ParseResult part = parse_input(pieces[i].text, format, options);
    if (i == 0) {
      parsed = std::move(part);
    } else {
      parsed.records = std::move(part.records);
      std::move(part.errors.begin(), part.errors.end(), std::back_inserter(parsed.errors));
      std::move(part.warnings.begin(), part.warnings.end(), std::back_inserter(parsed.warnings));
      parsed.input_records += part.input_records;
      parsed.otlp = parsed.otlp || part.otlp;
      parsed.request_unreadable = parsed.request_unreadable || part.request_unreadable;
      parsed.unknown_service += part.unknown_service;
    }
    kept += parsed.records.size();
    if (i + 1 < pieces.size() && !parsed.records.empty()) {
      add_summary(summary, context.pipeline.ingest(std::move(parsed.records)));
      parsed.records.clear();
    }
  }
  context.metrics.ingest_records(endpoint.name, parsed.input_records);
  if (parsed.otlp && !otlp) otlp = OtlpEncoding::json;

  for (const RecordError& error : parsed.errors) {
    if (error.limit != "max_records") continue;
    // Taking the first part would double-count it when the client resends the
    // whole batch split up; refuse it all and let the client split.
    context.metrics.ingest_rejected("too_many_records");
    return refuse(
        Problem{413, "too-many-records", "Payload Too Large",
                "The body holds more than limits.max_records (" + std::to_string(config.limits.max_records) +
                    ") records; nothing was ingested. Send smaller batches."}
            .with("limit", {{"name", "limits.max_records"}, {"value", config.limits.max_records}})
            .with("offset", error.offset));
  }

  if (!parsed.errors.empty()) context.metrics.ingest_rejected("malformed", parsed.errors.size());
  if (parsed.request_unreadable) {
    const RecordError& first = parsed.errors.front();
    return refuse(Problem{400, "malformed-otlp", "Bad Request",
                          (first.field.empty() ? "" : first.field + ": ") + first.message}
                      .with("offset", first.offset));
  }
  // OTLP answers bad records with a partial success (below), even when none was good.
  if (!otlp && kept == 0 && !parsed.errors.empty()) {
    const bool all_limits = std::all_of(parsed.errors.begin(), parsed.errors.end(),
                                        [](const RecordError& e) { return !e.limit.empty(); });
    const RecordError& first = parsed.errors.front();
    if (all_limits) {
      return problem_response(Problem{413, "record-too-large", "Payload Too Large",
                                      first.describe() + " (limits.max_line is " +
                                          std::to_string(config.limits.max_line) + " bytes)."}
                                  .with("limit", {{"name", "limits.max_line"}, {"bytes", config.limits.max_line}})
                                  .with("offset", first.offset)
                                  .with("errors", error_list(parsed.errors)));
    }
    Problem problem{400, "malformed-records", "Bad Request",
                    parsed.errors.size() == 1 ? first.describe()
                                              : "No record could be read; first: " + first.describe()};
    problem.with("offset", first.offset).with("errors", error_list(parsed.errors));
    if (!first.field.empty()) problem.with("field", first.field);
    if (parsed.errors.size() > kMaxListedErrors) problem.with("errors_total", parsed.errors.size());
    return problem_response(problem);
  }

  add_summary(summary, context.pipeline.ingest(std::move(parsed.records)));
  if (summary.undecided) context.metrics.match_undecided(summary.undecided);
  const bool needs_commit = summary.matched > 0 || summary.duplicates > 0 || !summary.changes.empty();
  if (otlp) return {otlp_export_response(*otlp, parsed.errors, config.limits.max_line), needs_commit};
  if (parsed.errors.empty() && parsed.warnings.empty() && parsed.unknown_service == 0)
    return {clean_ingest_response(summary), needs_commit};

  nlohmann::json out = {{"accepted", summary.accepted},
                        {"matched", summary.matched},
                        {"duplicates", summary.duplicates},
                        {"rejected", error_list(parsed.errors)}};
  if (parsed.errors.size() > kMaxListedErrors) out["rejected_total"] = parsed.errors.size();
  if (!parsed.warnings.empty()) out["warnings"] = warning_list(parsed.warnings);
  if (parsed.warnings.size() > kMaxListedErrors) out["warnings_total"] = parsed.warnings.size();
  if (parsed.unknown_service > 0) {
    out["unknown_service"] = parsed.unknown_service;
    out["hint"] = std::to_string(parsed.unknown_service) +
                  " record(s) named no service and were filed under service \"" + std::string(kUnknownService) +
                  "\": add ?service=NAME to the URL, or have the shipper set one (a service label or field).";
  }
  return {json_response(http::status::ok, out), needs_commit};
}

Response ingest_and_commit(ServeContext& context, const Endpoint& endpoint, const CallPtr& call, BodyCoding coding) {
  IngestOutcome outcome = ingest_body(context, endpoint, call, coding);
  if (outcome.needs_commit) context.store.sync(context.store.sealed());
#ifdef __GLIBC__
  // glibc keeps what a large batch freed (its records, the parse's strings) in
  // the worker thread's arena, where the next request of another thread cannot
  // use it: give it back, so that the daemon's RSS is what it holds.
  if (call->request.body().size() > kIngestPiece) malloc_trim(0);
#endif
  return std::move(outcome.response);
}

// The credential is checked on the headers (Router::admit), so that no one
// without one makes the daemon read a body.
Router::Guard ingest_guard(ServeContext& context, const Endpoint& endpoint) {
  return [&context, endpoint](const RequestHead& head) -> std::optional<Response> {
    AuthDecision decision = context.auth.check(head, endpoint.accepts == Accepts::pubsub ? Access::push : Access::ingest);
    if (decision.allowed()) return std::nullopt;
    context.metrics.ingest_rejected("unauthorized");
    context.metrics.ingest_request(endpoint.name, decision.status);
    return auth_response(decision);
  };
}

void add_endpoint(Router& router, ServeContext& context, std::string_view path, Endpoint endpoint_of_path,
                  const std::shared_ptr<CommitBatcher>& commits) {
  router.add(http::verb::post, path, [&context, commits, endpoint_of_path](const CallPtr& call) {
    Endpoint endpoint = endpoint_of_path;
    auto count = [&context, endpoint](int status) { context.metrics.ingest_request(endpoint.name, status); };
    const Request& request = call->request;
    context.metrics.ingest_bytes(endpoint.name, request.body().size());

    const std::string type = media_type(request);
    if (!accepted_type(endpoint.accepts, type)) {
      context.metrics.ingest_rejected("unsupported_media_type");
      count(415);
      call->respond(unsupported_media_type(endpoint, type));
      return;
    }
    std::string encoding(request[http::field::content_encoding]);
    std::transform(encoding.begin(), encoding.end(), encoding.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool loki = endpoint.accepts == Accepts::loki;
    BodyCoding coding;
    coding.gzip = encoding == "gzip" || encoding == "x-gzip";
    coding.snappy = loki && (encoding == "snappy" || is_protobuf_type(type));
    if (!coding.gzip && !(loki && encoding == "snappy") && !encoding.empty() && encoding != "identity") {
      context.metrics.ingest_rejected("unsupported_media_type");
      count(415);
      call->respond(problem_response(Problem{415, "unsupported-encoding", "Unsupported Media Type",
                                             "Content-Encoding " + encoding + " is not supported; use " +
                                                 (loki ? "gzip, snappy or none." : "gzip or none.")}
                                         .with("accepted", loki ? "gzip, snappy, identity" : "gzip, identity")));
      return;
    }
    if (loki && is_protobuf_type(type)) endpoint.format = InputFormat::loki_protobuf;
    auto answered = [&context, count](int status) {
      if (status == 429) context.metrics.ingest_rejected("overloaded");
      if (status == 503) context.metrics.ingest_rejected("store_unavailable");
      count(status);
    };
    if (coding.compressed() || request.body().size() > kInlineBody) {
      run_blocking(
          context, context.ingest_pool, call,
          [&context, endpoint, call, coding] { return ingest_and_commit(context, endpoint, call, coding); },
          answered);
      return;
    }
    IngestOutcome outcome;
    try {
      outcome = ingest_body(context, endpoint, call, coding);
    } catch (const std::exception& e) {
      context.log.error("http", "handler failed", {{"path", call->path}, {"error", e.what()}});
      outcome.response = internal_error_response();
    }
    if (!outcome.needs_commit) {
      answered(outcome.response.result_int());
      call->respond(std::move(outcome.response));
      return;
    }
    // Answered once the store has committed the batch (commit_batcher.h).
    commits->after_commit(
        context.store.sealed(),
        [&context, call, answered, response = std::make_shared<Response>(std::move(outcome.response))](
            std::exception_ptr failure) {
          Response answer = failure ? failure_response(context, call->path, failure) : std::move(*response);
          answered(answer.result_int());
          call->respond(std::move(answer));
        });
  }, ingest_guard(context, endpoint_of_path));
}

}  // namespace

void add_ingest_routes(Router& router, ServeContext& context) {
  auto commits = std::make_shared<CommitBatcher>(context.store, context.ingest_pool);
  add_endpoint(router, context, "/v1/push/pubsub", {"pubsub", InputFormat::pubsub, Accepts::pubsub}, commits);
  add_endpoint(router, context, "/v1/logs", {"logs", InputFormat::ndjson, Accepts::logs}, commits);
  add_endpoint(router, context, "/v1/logs/raw", {"raw", InputFormat::text, Accepts::raw}, commits);
  add_endpoint(router, context, "/loki/api/v1/push", {"loki", InputFormat::loki, Accepts::loki}, commits);
}

}  // namespace faultline
