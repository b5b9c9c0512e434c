// JSON that applications log (structured.h): the message, the level into
// app_level, the time, and the trace they put in a field of its own, read the
// same in a text line, a flat NDJSON record, Docker's log, a Loki line and a
// Cloud Logging jsonPayload. The traces are the corpus's (tests/corpus/realworld),
// put in the fields each logger uses for them; the record shapes are the loggers'.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "parsers/json_line_ondemand.h"
#include "parsers/multiline.h"
#include "parsers/parse.h"
#include "parsers/structured.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using nlohmann::json;
using test::all_errors;

const Timestamp kArrival = *parse_rfc3339("2026-12-06T00:00:00Z");

std::string realworld(const std::string& name) {
  return test::read_file(std::string(FAULTLINE_CORPUS) + "/realworld/" + name);
}

// Lines [from, to) of a corpus log, joined by '\n', each without its compose
// prefix (everything up to "| ") when `unprefix`.
std::string realworld_trace(const std::string& name, size_t from, size_t to, bool unprefix = false) {
  std::string body = realworld(name);
  std::string out;
  size_t start = 0;
  for (size_t i = 0; start < body.size() && i < to; ++i) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    if (unprefix) line = line.substr(line.find("| ") + 2);
    if (i >= from) out += (out.empty() ? "" : "\n") + line;
    start = end + 1;
  }
  return out;
}

// The Python traceback of the compose case, the Java one of a bare docker run,
// and Node's of docker logs.
std::string python_trace() {
  return realworld_trace("python/py-compose-django-not-installed-web1.log", 3, 7, true);
}
std::string java_trace() {
  return realworld_trace("jvm-dotnet-beam-servers/java-noclassdeffound-caused-by-cnfe-bare.log", 0, 8);
}
std::string node_stack() {
  return realworld_trace("node-ruby-php-rust-go/node-cannot-find-module-then-typeerror-docker-logs.log", 3, 14);
}

ParseResult parse(std::string_view body, InputFormat format = InputFormat::text) {
  ParseOptions options;
  options.arrival = kArrival;
  return parse_input(body, format, options);
}

LogRecord one(const std::string& body, InputFormat format = InputFormat::text) {
  ParseResult result = parse(body, format);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 1);
  return result.records[0];
}

// What the pipeline does with a record that holds several lines.
LogRecord annotated(LogRecord record) {
  annotate_trace(record);
  return record;
}

TEST_CASE("pino: msg, numeric level, epoch time, err.stack as lines - the trace gives the culprit") {
  json line = {{"level", 50},
               {"time", 1531171074631},
               {"pid", 657},
               {"hostname", "api-7d4b9c-x2x9q"},
               {"err", {{"type", "Error"}, {"message", "Cannot find module 'sinopia/lib/config_gen'"}, {"stack", node_stack()}}},
               {"msg", "Cannot find module 'sinopia/lib/config_gen'"}};
  for (InputFormat format : {InputFormat::text, InputFormat::automatic}) {
    CAPTURE(static_cast<int>(format));
    LogRecord r = one(line.dump() + "\n", format);
    CHECK(r.text == "Cannot find module 'sinopia/lib/config_gen'\n" + node_stack());
    CHECK(r.app_level == "ERROR");
    CHECK(r.time == *parse_rfc3339("2018-07-09T21:17:54.631Z"));
    r = annotated(std::move(r));
    REQUIRE_FALSE(r.exceptions.empty());
    CHECK(r.exceptions[0] == "Error: Cannot find module 'sinopia/lib/config_gen'");
    // The same culprit as the stack printed by the runtime itself.
    LogRecord printed;
    printed.text = node_stack();
    printed = annotated(std::move(printed));
    REQUIRE(printed.culprit);
    REQUIRE(r.culprit);
    CHECK(*r.culprit == *printed.culprit);
  }
}

TEST_CASE("bunyan and winston: err.name/message/stack, a top-level stack") {
  json bunyan = {{"name", "api"},     {"hostname", "h"},
                 {"pid", 1},          {"level", 60},
                 {"err", {{"message", "Cannot find module 'sinopia/lib/config_gen'"}, {"name", "Error"}, {"stack", node_stack()}}},
                 {"msg", "uncaught"}, {"time", "2018-07-09T21:17:54.631Z"},
                 {"v", 0}};
  LogRecord r = one(bunyan.dump());
  CHECK(r.app_level == "CRITICAL");
  CHECK(r.text == "uncaught\n" + node_stack());
  json winston = {{"level", "error"}, {"message", "Cannot find module 'sinopia/lib/config_gen'"}, {"stack", node_stack()},
                  {"timestamp", "2018-07-09T21:17:54.631Z"}};
  r = one(winston.dump());
  CHECK(r.app_level == "ERROR");
  CHECK(r.text == "Cannot find module 'sinopia/lib/config_gen'\n" + node_stack());
}

TEST_CASE("structlog and python-json-logger: the traceback field assembles with its culprit") {
  json structlog = {{"event", "Unhandled exception in manage.py"},
                    {"level", "error"},
                    {"timestamp", "2025-09-16T00:42:34.123456Z"},
                    {"exception", python_trace()}};
  json jsonlogger = {{"asctime", "2025-09-16 00:42:34,123"},
                     {"levelname", "ERROR"},
                     {"name", "django"},
                     {"message", "Unhandled exception in manage.py"},
                     {"exc_info", python_trace()}};
  for (const json& line : {structlog, jsonlogger}) {
    CAPTURE(line.dump());
    LogRecord r = annotated(one(line.dump()));
    CHECK(r.text == "Unhandled exception in manage.py\n" + python_trace());
    CHECK(r.app_level == "ERROR");
    CHECK(r.time > *parse_rfc3339("2025-09-16T00:42:34Z"));
    REQUIRE(r.culprit);
    CHECK(r.culprit->file == "/code/manage.py");
    CHECK(r.culprit->line == 10);
    CHECK(r.exceptions.at(0) == "ModuleNotFoundError: No module named 'django'");
  }
}

TEST_CASE("logback (logstash-logback-encoder) and ECS: stack_trace, error.stack_trace") {
  json logstash = {{"@timestamp", "2025-09-16T00:42:34.123+02:00"},
                   {"@version", "1"},
                   {"message", "Application run failed"},
                   {"logger_name", "org.springframework.boot.SpringApplication"},
                   {"thread_name", "main"},
                   {"level", "ERROR"},
                   {"level_value", 40000},
                   {"stack_trace", java_trace()}};
  LogRecord r = annotated(one(logstash.dump()));
  CHECK(r.time == *parse_rfc3339("2025-09-15T22:42:34.123Z"));
  CHECK(r.text == "Application run failed\n" + java_trace());
  CHECK(r.exceptions.at(0) == "java.lang.ClassNotFoundException: com.spotify.docker.client.DefaultDockerClient");
  REQUIRE(r.culprit);
  CHECK(r.culprit->file == "App.java");

  json ecs = {{"@timestamp", "2025-09-16T00:42:34.123Z"},
              {"log", {{"level", "error"}, {"logger", "app"}}},
              {"message", "Application run failed"},
              {"error", {{"type", "java.lang.NoClassDefFoundError"}, {"message", "com/spotify/docker/client/DefaultDockerClient"},
                         {"stack_trace", java_trace()}}}};
  r = one(ecs.dump());
  CHECK(r.app_level == "ERROR");
  CHECK(r.text == "Application run failed\n" + java_trace());  // the stack says what type and message say
  json flat_ecs = {{"log.level", "error"}, {"message", "boom"}, {"error.type", "ValueError"}, {"error.message", "bad value"}};
  r = one(flat_ecs.dump());
  CHECK(r.app_level == "ERROR");
  CHECK(r.text == "boom\nValueError: bad value");
}

TEST_CASE("zap and logrus: the error string - a zap line behind Docker Desktop's timestamp") {
  LogRecord caddy = one(realworld_trace("jvm-dotnet-beam-servers/caddy-caddyfile-tls-wrong-argument-count-compose.log", 0, 1));
  CHECK(caddy.text == "using config from file");
  CHECK(caddy.app_level == "INFO");
  CHECK(caddy.time == *parse_rfc3339("2025-02-14T11:34:48Z"));  // the prefix's; the record's ts is later news

  json zap = {{"level", "error"}, {"ts", 1740242159.582626}, {"caller", "cache/redis.go:77"},
              {"msg", "cache read failed"}, {"error", "dial tcp 10.0.0.7:6379: connect: connection refused"},
              {"stacktrace", "main.main\n\t/app/main.go:12\nruntime.main\n\t/usr/local/go/src/runtime/proc.go:250"}};
  LogRecord r = one(zap.dump());
  CHECK(r.text ==
        "cache read failed\ndial tcp 10.0.0.7:6379: connect: connection refused\nmain.main\n\t/app/main.go:12\n"
        "runtime.main\n\t/usr/local/go/src/runtime/proc.go:250");
  CHECK(r.time == *parse_rfc3339("2025-02-22T16:35:59.582626Z"));

  json logrus = {{"level", "fatal"}, {"msg", "dial tcp 172.24.0.2:5432: connect: connection refused"},
                 {"time", "2023-10-29T12:38:56Z"}};
  r = one(logrus.dump());
  CHECK(r.app_level == "CRITICAL");
  CHECK(r.text == "dial tcp 172.24.0.2:5432: connect: connection refused");
}

TEST_CASE("an error quoted in an INFO record keeps the application's INFO") {
  // The corpus's healthy MongoDB log: auth errors quoted in "I" records.
  ParseResult result = parse(realworld("healthy/mongodb-json-info-quotes-auth-error.log"), InputFormat::automatic);
  INFO(all_errors(result));
  REQUIRE_FALSE(result.records.empty());
  CHECK(result.errors.empty());
  for (const LogRecord& r : result.records) CHECK(r.app_level == "INFO");
  CHECK(result.records[0].text == "MongoDB starting");
  LogRecord retry = one(R"({"level":"info","msg":"retrying after: connect ECONNREFUSED 127.0.0.1:5432"})");
  CHECK(retry.app_level == "INFO");
  CHECK(retry.text == "retrying after: connect ECONNREFUSED 127.0.0.1:5432");
}

TEST_CASE("a JSON record inside Docker's log, a Loki line, a flat record and a jsonPayload") {
  json pino = {{"level", 50}, {"time", 1531171074631}, {"msg", "request failed"},
               {"err", {{"type", "Error"}, {"message", "Cannot find module 'sinopia/lib/config_gen'"}, {"stack", node_stack()}}}};
  const std::string want = "request failed\n" + node_stack();

  json docker = {{"log", pino.dump() + "\n"}, {"stream", "stderr"}, {"time", "2018-07-09T21:17:55Z"}};
  for (InputFormat format : {InputFormat::text, InputFormat::automatic, InputFormat::ndjson}) {
    CAPTURE(static_cast<int>(format));
    LogRecord r = one(docker.dump() + "\n", format);
    CHECK(r.text == want);
    CHECK(r.app_level == "ERROR");
    CHECK(r.stream == "stderr");
    CHECK(r.time == *parse_rfc3339("2018-07-09T21:17:55Z"));  // the transport's time wins
  }

  json loki = {{"streams", json::array({{{"stream", {{"service", "api"}}},
                                          {"values", json::array({json::array({"1531171074631000000", pino.dump()})})}}})}};
  LogRecord r = one(loki.dump(), InputFormat::loki);
  CHECK(r.text == want);
  CHECK(r.app_level == "ERROR");

  json flat = {{"service", "api"}, {"level", "error"}, {"message", "request failed"},
               {"err", {{"type", "Error"}, {"message", "Cannot find module 'sinopia/lib/config_gen'"}, {"stack", node_stack()}}}};
  r = one(flat.dump(), InputFormat::ndjson);
  CHECK(r.text == "request failed\n" + node_stack());
  CHECK(r.severity == "error");  // a flat record's level stays its severity too
  CHECK(r.app_level == "ERROR");

  json entry = {{"insertId", "x1"},
                {"severity", "ERROR"},
                {"resource", {{"type", "k8s_container"}, {"labels", {{"container_name", "web"}}}}},
                {"jsonPayload", {{"message", "Unhandled exception in manage.py"}, {"level", "error"},
                                 {"exception", python_trace()}}}};
  r = annotated(one(entry.dump(), InputFormat::logentry));
  CHECK(r.text == "Unhandled exception in manage.py\n" + python_trace());
  CHECK(r.app_level == "ERROR");
  REQUIRE(r.culprit);
  CHECK(r.culprit->file == "/code/manage.py");
  // Without a message the payload is shown compact, and the trace follows as lines.
  entry["jsonPayload"].erase("message");
  r = one(entry.dump(), InputFormat::logentry);
  CHECK(r.text.starts_with("{\"exception\":"));
  CHECK(r.text.ends_with("\n" + python_trace()));
  // A flat record with an error but no message is read, not refused.
  r = one(R"({"level":"error","error":"dial tcp: lookup db: no such host"})", InputFormat::ndjson);
  CHECK(r.text == "dial tcp: lookup db: no such host");
}

TEST_CASE("JSON lines that are not application records stay text") {
  for (std::string line : {std::string(R"({"a":1,"b":[2]})"), std::string(R"({"level":"info"})"),
                           std::string(R"({"msg": 5})"), std::string(R"({"broken": )")}) {
    CAPTURE(line);
    LogRecord r = one(line + "\n");
    CHECK(r.text == line);
  }
}

TEST_CASE("automatic: a Go panic after logrus's JSON lines is text, and keeps its place in time") {
  ParseResult result = parse(realworld("node-ruby-php-rust-go/go-fatal-concurrent-map-writes-json-k8s.log"),
                             InputFormat::automatic);
  INFO(all_errors(result));
  CHECK(result.errors.empty());
  auto panic = std::find_if(result.records.begin(), result.records.end(),
                            [](const LogRecord& r) { return r.text == "fatal error: concurrent map writes"; });
  REQUIRE(panic != result.records.end());
  CHECK(panic->time == result.records[0].time);  // the JSON records' time carries over
  CHECK(result.records[0].text == "Parsed kubeconfig context: build11");
  CHECK(result.records[0].app_level == "INFO");
  std::vector<LogRecord> out;
  MultilineAssembler assembler;
  for (LogRecord& r : result.records) assembler.push(std::move(r), out);
  assembler.flush_all(out);
  auto trace = std::find_if(out.begin(), out.end(), [](const LogRecord& r) { return !r.exceptions.empty(); });
  REQUIRE(trace != out.end());
  CHECK(trace->text.starts_with("fatal error: concurrent map writes\n\ngoroutine 1379 [running]:"));
}

TEST_CASE("automatic: a text file whose first line only looks like JSON is text (Erlang terms)") {
  ParseResult result = parse(realworld("jvm-dotnet-beam-servers/erlang-riak-kernel-pid-terminated-os-mon.log"),
                             InputFormat::automatic);
  INFO(all_errors(result));
  CHECK(result.errors.empty());
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text ==
        R"({"Kernel pid terminated",application_controller,"{application_terminated,os_mon,shutdown}"})");
  CHECK(result.records[1].text ==
        "Kernel pid terminated (application_controller) ({application_terminated,os_mon,shutdown})");
  // An Erlang list first, too; but a JSON array or NDJSON with a broken first record stays JSON.
  CHECK(parse("[{kernel,[{inet_dist_listen_min,9100}]}].\nstarted\n", InputFormat::automatic).errors.empty());
  CHECK(parse(R"([{"textPayload":"a"},])", InputFormat::automatic).errors.size() == 1);
  ParseResult ndjson = parse("{\"textPayload\":\"x\",}\n{\"textPayload\":\"ok\"}\n", InputFormat::automatic);
  CHECK(ndjson.errors.size() == 1);
  CHECK(ndjson.records.size() == 1);
}

TEST_CASE("levels and times of JSON records, by every name they go by") {
  CHECK(app_level_of(json{{"level", 30}}) == "INFO");
  CHECK(app_level_of(json{{"level", 3}}) == "ERROR");  // GELF: syslog's scale
  CHECK(app_level_of(json{{"severity", "WARNING"}}) == "WARNING");
  CHECK(app_level_of(json{{"LogLevel", "Information"}}) == "INFO");  // .NET
  CHECK(app_level_of(json{{"@l", "Fatal"}}) == "CRITICAL");          // Serilog
  CHECK(app_level_of(json{{"level", "dpanic"}}) == "CRITICAL");      // zap
  CHECK(app_level_of(json{{"s", "E"}, {"t", {{"$date", "2021-03-22T21:21:20.349+00:00"}}}}) == "ERROR");
  CHECK(app_level_of(json{{"s", "E"}}).empty());  // not MongoDB's without its "t"
  CHECK(app_level_of(json{{"level", "chatty"}}).empty());
  CHECK(json_time(json("2025-09-16 00:42:34,123")) == *parse_rfc3339("2025-09-16T00:42:34.123Z"));
  CHECK(json_time(json(1758000000)) == *parse_rfc3339("2025-09-16T05:20:00Z"));
  CHECK(json_time(json{{"$date", "2021-03-22T21:21:20.349+00:00"}}) == *parse_rfc3339("2021-03-22T21:21:20.349Z"));
  CHECK_FALSE(json_time(json("yesterday")));
  CHECK_FALSE(json_time(json(-5)));
}

// Flat lines are read without a DOM (json_line_ondemand.h); every line here,
// read either way, gives the same message, level, time and kind.
TEST_CASE("a JSON line reads the same on the on-demand and the DOM path") {
  const char* lines[] = {
      R"({"level":"error","time":"2025-10-01T10:00:00Z","msg":"boom"})",
      R"({"level":50,"time":1727776800123,"msg":"pino  "})",
      R"({"level":30.0,"time":1727776800.5,"msg":"float level and time"})",
      R"({"lvl":"WARN","ts":-5,"message":"negative epoch"})",
      R"({"severity":"nonsense","levelname":"ERROR","@t":"2025-10-01 10:00:00,123","event":"first usable level"})",
      R"({"s":"E","t":{"$date":"2025-10-01T10:00:00Z"},"msg":"mongo"})",
      R"({"s":"W","t":1,"msg":"mongo number t"})",
      R"({"msg":1,"message":"a number message is skipped"})",
      R"({"msg":null,"message":"null is absent"})",
      R"({"msg":"a","msg":"repeated"})",
      R"({"msg":"big","time":18446744073709551616})",
      R"({"msg":"minus zero","time":-0})",
      R"({"msg":"tiny","time":1e-400})",
      R"({"msg":"huge","time":1e400})",
      R"({"msg":"error beside","error":{"type":"ValueError","message":"x"}})",
      R"({"msg":"ecs","error.message":"m"})",
      R"({"log":"line\n","stream":"stderr","time":"2025-10-01T10:00:00.000000001Z"})",
      R"({"log":"docker without stream","time":"2025-10-01T10:00:00Z","msg":null})",
      R"({"log":{"level":"error"},"msg":"ecs log object"})",
      R"({"log":"not docker, a message"})",
      R"({"other":[1,{"deep":true}],"msg":"  trailing blanks  \n"})",
      R"({"msg":""})",
      R"({"msg":"\u00e9t\u00e9 \ud83d\ude00","level":"info"})",
      R"({"msg":"bad escape \x"})",
      R"({"msg":"trailing"} {"msg":"two"})",
      R"({"msg":"unterminated")",
      R"(  {"msg":"blanks around"}  )",
  };
  for (const char* line : lines) {
    CAPTURE(line);
    const JsonLine fast = read_json_line(line);
    const JsonLine dom = read_json_line_dom(line);
    CHECK(fast.kind == dom.kind);
    CHECK(fast.text == dom.text);
    CHECK(fast.stream == dom.stream);
    CHECK(fast.time == dom.time);
    CHECK(fast.level == dom.level);
    CHECK(fast.partial == dom.partial);
  }
  // And what they read, for a few.
  JsonLine pino = read_json_line(lines[1]);
  CHECK(pino.kind == JsonLine::Kind::application);
  CHECK(pino.text == "pino");
  CHECK(pino.level == "ERROR");
  REQUIRE(pino.time);
  JsonLine docker = read_json_line(lines[16]);
  CHECK(docker.kind == JsonLine::Kind::docker);
  CHECK(docker.text == "line");
  CHECK(docker.stream == "stderr");
}

}  // namespace
}  // namespace faultline
