// The on-call API: incidents (list, one, its timeline picture, ack, resolve,
// suggested rule), MTTR stats, rules.
//
// GET /api/v1/incidents without ?state= lists the active incidents (open and
// acknowledged): what someone paged at 3 a.m. wants. ?state=all, open,
// acknowledged, resolved or active select explicitly.
#include <charconv>

#include "codec/units.h"
#include "store/incident_query.h"
#include "incidents/mttr_stats.h"
#include "incidents/timeline_svg.h"
#include "server/routes.h"
#include "incidents/pipeline.h"
#include "server/auth/auth.h"
#include "server/config.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/rule_reloader.h"
#include "server/http/worker_pool.h"
#include "store/commit_point.h"
#include "suggest/rule_draft.h"

namespace faultline {
namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;
constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxByLength = 256;
constexpr size_t kMaxNoteLength = 4096;

Response bad_parameter(std::string_view name, std::string detail) {
  return problem_response(Problem{400, "bad-parameter", "Bad Request", std::move(detail)}.with("field", name));
}

bool valid_incident_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

// Answers 400 for an id that cannot be one (so a typo is told apart from an
// incident that does not exist); true when the id is well-formed.
bool check_id(const CallPtr& call) {
  const std::string& id = call->path_params.front();
  if (valid_incident_id(id)) return true;
  call->respond(problem_response(
      Problem{400, "bad-incident-id", "Bad Request",
              "Incident ids are 1-128 characters of letters, digits, '-', '_', '.' and ':'."}
          .with("field", "id")));
  return false;
}

Response not_found(const std::string& id) {
  return problem_response(Problem{404, "incident-not-found", "Not Found", "No incident with id " + id + "."});
}

// The API's own links for an incident, relative to the daemon's address.
nlohmann::json incident_links(const Incident& incident) {
  const std::string self = "/api/v1/incidents/" + incident.id;
  return {{"self", self}, {"timeline", self + "/timeline.svg"}};
}

// The incident's timeline picture (incidents/timeline_svg.h). It holds log text:
// served so that a browser opening it directly runs nothing and sniffs nothing.
Response timeline_response(const Incident& incident) {
  Response response = text_response(http::status::ok, timeline_svg(incident), "image/svg+xml; charset=utf-8");
  response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  return response;
}

nlohmann::json incident_json(const Incident& incident) {
  nlohmann::json out = to_json(incident);
  out["links"] = incident_links(incident);
  if (!out.contains("history")) {
    nlohmann::json history = nlohmann::json::array();
    for (const HistoryEntry& entry : incident.history)
      history.push_back({{"at", format_rfc3339(entry.at)}, {"action", entry.action}, {"by", entry.by},
                         {"note", entry.note}});
    out["history"] = std::move(history);
  }
  return out;
}

// "2026-11-25T00:00:00Z" or a duration back from now ("24h").
std::optional<Timestamp> parse_since(std::string_view text, Timestamp now) {
  if (auto at = parse_rfc3339(text)) return at;
  if (auto ago = parse_duration(text)) return now - *ago;
  return std::nullopt;
}

Response list_incidents(ServeContext& context, const CallPtr& call) {
  IncidentQuery query;
  bool active_only = true;
  if (auto state = call->param("state")) {
    IncidentState parsed;
    if (*state == "all") active_only = false;
    else if (*state == "active") active_only = true;
    else if (parse_incident_state(*state, parsed)) {
      active_only = false;
      query.state = parsed;
    } else {
      return bad_parameter("state", "state must be one of open, acknowledged, resolved, active (open and "
                                    "acknowledged, the default) or all; got '" + std::string(*state) + "'.");
    }
  }
  if (auto service = call->param("service"); service && !service->empty()) query.service = std::string(*service);
  if (auto since = call->param("since"); since && !since->empty()) {
    query.since = parse_since(*since, context.wall_clock());
    if (!query.since)
      return bad_parameter("since", "since must be an RFC 3339 time (2026-11-25T00:00:00Z) or a duration back "
                                    "from now (24h); got '" + std::string(*since) + "'.");
  }
  query.limit = kDefaultLimit;
  if (auto limit = call->param("limit")) {
    size_t value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > kMaxLimit)
      return bad_parameter("limit", "limit must be a whole number from 1 to " + std::to_string(kMaxLimit) +
                                        "; got '" + std::string(*limit) + "'.");
    query.limit = value;
  }
  if (auto cursor = call->param("cursor"); cursor && !cursor->empty()) {
    query.after = decode_cursor(*cursor);
    if (!query.after)
      return bad_parameter("cursor", "cursor must be a next_cursor value from a previous page.");
  }

  std::vector<Incident> snapshot = context.pipeline.incidents();
  if (active_only)
    std::erase_if(snapshot, [](const Incident& i) { return i.state == IncidentState::resolved; });
  IncidentPage page = select_incidents(snapshot, query);
  nlohmann::json out = {{"incidents", nlohmann::json::array()},
                        {"next_cursor", page.next ? nlohmann::json(encode_cursor(*page.next)) : nlohmann::json()}};
  for (const Incident& incident : page.incidents) out["incidents"].push_back(incident_json(incident));
  return json_response(http::status::ok, out);
}

struct LifecycleBody {
  std::string by = "api";
  std::string note;
};

// Empty body: by "api". Otherwise a JSON object with optional string "by" and "note".
std::optional<Response> parse_lifecycle_body(const std::string& body, LifecycleBody& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return problem_response(Problem{400, "malformed-json", "Bad Request",
                                    "The body must be a JSON object like {\"by\":\"alice\",\"note\":\"rolled back\"}."}
                                .with("field", "body"));
  for (auto [name, limit, target] : {std::tuple{"by", kMaxByLength, &out.by}, {"note", kMaxNoteLength, &out.note}}) {
    if (!json.contains(name)) continue;
    const auto& value = json[name];
    if (!value.is_string() || value.get_ref<const std::string&>().size() > limit)
      return problem_response(Problem{400, "bad-field", "Bad Request",
                                      std::string(name) + " must be a string of at most " + std::to_string(limit) +
                                          " characters."}
                                  .with("field", name));
    *target = value.get<std::string>();
  }
  if (out.by.empty()) out.by = "api";
  return std::nullopt;
}

Response lifecycle(ServeContext& context, const CallPtr& call, LifecycleKind kind) {
  const std::string& id = call->path_params.front();
  LifecycleBody body;
  if (auto bad = parse_lifecycle_body(call->request.body(), body)) return std::move(*bad);
  const bool acknowledge = kind == LifecycleKind::acknowledge;
  const LifecycleAction action{kind, id, body.by, body.note, context.wall_clock()};
  LifecycleResult result = context.pipeline.act(action);
  if (result == LifecycleResult::not_found) return not_found(id);
  if (result == LifecycleResult::conflict) {
    auto incident = context.pipeline.incident(id);
    std::string state = incident ? std::string(to_string(incident->state)) : "unknown";
    return problem_response(Problem{409, "state-conflict", "Conflict",
                                    std::string("Incident ") + id + " is " + state + "; " +
                                        (acknowledge ? "only an open incident can be acknowledged."
                                                     : "it cannot be resolved again.")}
                                .with("state", state));
  }
  // A failed commit takes the action back before anything else can commit it:
  // the 503 then tells the truth (nothing was done), and the retry can do it.
  // With replicas the action is applied from the journal: read the incident after it.
  context.store.sync(context.store.sealed(), [&] { context.pipeline.undo(action); });
  context.log.info("incident", acknowledge ? "acknowledged" : "resolved", {{"id", id}, {"by", body.by}});
  auto incident = context.pipeline.incident(id);
  if (!incident) return not_found(id);
  return json_response(http::status::ok, incident_json(*incident));
}

Response mttr(ServeContext& context, const CallPtr& call) {
  std::string window = std::string(call->param("window").value_or("7d"));
  std::optional<Timestamp> since;
  if (window != "all") {
    auto length = parse_duration(window);
    if (!length || length->count() == 0)
      return bad_parameter("window", "window must be a duration like 24h, 7d or 30d, or all; got '" + window + "'.");
    since = context.wall_clock() - *length;
  }
  std::optional<std::string> service;
  if (auto s = call->param("service"); s && !s->empty()) service = std::string(*s);
  MttrReport report = compute_mttr(context.pipeline.incidents(), since, service);
  nlohmann::json out = {{"window", window},
                        {"since", since ? nlohmann::json(format_rfc3339(*since)) : nlohmann::json()},
                        {"overall", to_json(report.overall)},
                        {"services", nlohmann::json::object()},
                        {"by_revision", to_json(report.revisions)}};
  for (const auto& [name, figures] : report.services) out["services"][name] = to_json(figures);
  return json_response(http::status::ok, out);
}

// A rule drafted from an unknown-cause incident's suspect lines, as YAML to
// review and add to a pack; 409 with the reason when there is none to draft.
Response suggested_rule(ServeContext& context, const std::string& id) {
  auto incident = context.pipeline.incident(id);
  if (!incident) return not_found(id);
  const RuleDraft draft = draft_rule(*incident, context.pipeline.service_lines(*incident));
  if (!draft.ok())
    return problem_response(Problem{409, "no-rule-suggestion", "Conflict", "No rule can be drafted: " + draft.error + "."});
  return text_response(http::status::ok, draft.yaml, "application/yaml; charset=utf-8");
}

Response rules(ServeContext& context) {
  auto set = context.pipeline.rules();
  nlohmann::json list = nlohmann::json::array();
  for (const Rule& rule : set->rules()) {
    list.push_back({{"id", rule.id},
                    {"kind", to_string(rule.kind)},
                    {"severity", to_string(rule.severity)},
                    {"terminates", rule.terminates},
                    {"summary", rule.summary},
                    {"file", rule.file},
                    {"line", rule.line},
                    {"matches", context.metrics.rule_matches(rule.id)}});
  }
  return json_response(http::status::ok, {{"source", context.reloader.path()}, {"count", list.size()}, {"rules", list}});
}

}  // namespace

void add_api_routes(Router& router, ServeContext& context) {
  const Router::Guard read = access_guard(context, Access::read);
  router.add(http::verb::get, "/api/v1/incidents", [&context](const CallPtr& call) {
    run_blocking(context, context.api_pool, call, [&context, call] { return list_incidents(context, call); });
  }, read);
  router.add(http::verb::get, "/api/v1/incidents/{id}", [&context](const CallPtr& call) {
    if (!check_id(call)) return;
    run_blocking(context, context.api_pool, call, [&context, call] {
      auto incident = context.pipeline.incident(call->path_params.front());
      if (!incident) return not_found(call->path_params.front());
      return json_response(http::status::ok, incident_json(*incident));
    });
  }, read);
  router.add(http::verb::get, "/api/v1/incidents/{id}/suggested-rule", [&context](const CallPtr& call) {
    if (!check_id(call)) return;
    run_blocking(context, context.api_pool, call,
                 [&context, call] { return suggested_rule(context, call->path_params.front()); });
  }, read);
  router.add(http::verb::get, "/api/v1/incidents/{id}/timeline.svg", [&context](const CallPtr& call) {
    if (!check_id(call)) return;
    run_blocking(context, context.api_pool, call, [&context, call] {
      auto incident = context.pipeline.incident(call->path_params.front());
      if (!incident) return not_found(call->path_params.front());
      return timeline_response(*incident);
    });
  }, read);
  for (LifecycleKind kind : {LifecycleKind::acknowledge, LifecycleKind::resolve}) {
    router.add(http::verb::post,
               kind == LifecycleKind::acknowledge ? "/api/v1/incidents/{id}/ack" : "/api/v1/incidents/{id}/resolve",
               [&context, kind](const CallPtr& call) {
                 if (!check_id(call)) return;
                 run_blocking(context, context.api_pool, call, [&context, call, kind] { return lifecycle(context, call, kind); });
               }, access_guard(context, Access::write));
  }
  router.add(http::verb::get, "/api/v1/stats/mttr", [&context](const CallPtr& call) {
    run_blocking(context, context.api_pool, call, [&context, call] { return mttr(context, call); });
  }, read);
  router.add(http::verb::get, "/api/v1/rules", [&context](const CallPtr& call) {
    run_blocking(context, context.api_pool, call, [&context] { return rules(context); });
  }, read);
}

}  // namespace faultline
