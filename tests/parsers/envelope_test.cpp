// Plain text that arrives wrapped: compose, kubectl --prefix, journald/syslog,
// CRI node files, Docker's json-file, Heroku and Cloud Foundry prefixes, and
// leading timestamps. The lines are the corpus's (tests/corpus/realworld), as
// users pasted them; each test says what the record must hold and what the rules
// and the multi-line assembler then see.
#include <doctest/doctest.h>

#include <map>

#include "parsers/envelope.h"
#include "parsers/multiline.h"
#include "parsers/parse.h"
#include "parsers_test_support.h"

namespace faultline {
namespace {

using test::all_errors;

const Timestamp kArrival = *parse_rfc3339("2026-12-06T00:00:00Z");

std::string realworld(const std::string& name) {
  return test::read_file(std::string(FAULTLINE_CORPUS) + "/realworld/" + name);
}

// The first `count` lines of a corpus log, each ending in '\n'.
std::string realworld_lines(const std::string& name, size_t count) {
  std::string body = realworld(name);
  size_t end = 0;
  for (size_t i = 0; i < count && end != std::string::npos; ++i) {
    end = body.find('\n', end);
    if (end != std::string::npos) ++end;
  }
  return end == std::string::npos ? body : body.substr(0, end);
}

ParseResult text(std::string_view body, InputFormat format = InputFormat::text) {
  ParseOptions options;
  options.arrival = kArrival;
  options.service = "given";
  return parse_input(body, format, options);
}

// Records as the pipeline hands them to the assembler, then everything flushed.
std::vector<LogRecord> assembled(std::vector<LogRecord> records) {
  MultilineAssembler assembler;
  std::vector<LogRecord> out;
  for (LogRecord& record : records) assembler.push(std::move(record), out);
  assembler.flush_all(out);
  return out;
}

TEST_CASE("compose: the prefix goes, service and instance come from the name") {
  ParseResult result = text(realworld_lines("python/py-compose-django-not-installed-web1.log", 17));
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 17);
  const LogRecord& traceback = result.records[3];
  CHECK(traceback.text == "Traceback (most recent call last):");
  CHECK(traceback.service == "web");
  CHECK(traceback.instance == "web_1");
  CHECK(result.records[4].text == "  File \"/code/manage.py\", line 10, in main");  // indentation kept
  CHECK(result.records[7].text.empty());  // "web_1  | " is an empty line
  // Lines compose prints itself keep the caller's names...
  CHECK(result.records[0].text == "Creating network \"hello_default\" with the default driver");
  CHECK(result.records[0].service == "given");
  // ...but its exit line counts for the service it names.
  CHECK(result.records[16].text == "hello_web_1 exited with code 1");
  CHECK(result.records[16].service == "web");
  CHECK(result.records[16].instance == "web_1");
}

TEST_CASE("compose: a Python traceback assembles into one trace per instance, with its culprit frame") {
  // The corpus's traceback, printed by two replicas whose lines interleave.
  std::string one = realworld_lines("python/py-compose-django-not-installed-web1.log", 16).substr(
      realworld_lines("python/py-compose-django-not-installed-web1.log", 3).size());
  std::string body;
  size_t start = 0;
  while (start < one.size()) {
    size_t end = one.find('\n', start);
    std::string line = one.substr(start, end - start);
    body += line + "\n";
    body += "web-2" + line.substr(std::string("web_1").size()) + "\n";  // compose v2 names
    start = end + 1;
  }
  ParseResult result = text(body);
  INFO(all_errors(result));
  std::vector<LogRecord> out = assembled(std::move(result.records));
  std::map<std::string, const LogRecord*> traces;
  for (const LogRecord& record : out)
    if (record.culprit) traces[record.instance] = &record;
  REQUIRE(traces.size() == 2);
  for (const std::string instance : {"web_1", "web-2"}) {
    CAPTURE(instance);
    const LogRecord& trace = *traces.at(instance);
    CHECK(trace.service == "web");
    CHECK(trace.text.starts_with("Traceback (most recent call last):\n  File \"/code/manage.py\", line 10"));
    CHECK(trace.text.find("web_1") == std::string::npos);
    CHECK(trace.text.find("web-2") == std::string::npos);
    REQUIRE(trace.culprit);
    CHECK(trace.culprit->file == "/code/manage.py");
    CHECK(trace.culprit->line == 10);
    REQUIRE_FALSE(trace.exceptions.empty());
    CHECK(trace.exceptions[0] == "ModuleNotFoundError: No module named 'django'");
  }
}

TEST_CASE("compose: v2 names, names without a replica, and pm2's prefix") {
  CHECK(compose_service("web_1") == "web");
  CHECK(compose_service("gpt4old-webui-1") == "gpt4old-webui");
  CHECK(compose_service("mailman-web") == "mailman-web");
  CHECK(compose_service("redis6") == "redis6");

  ParseResult result = text(realworld("python/py-compose-mailman-web-syntaxerror-eof.log"));
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 9);
  CHECK(result.records[1].service == "database");
  CHECK(result.records[1].text == "Initializing database");
  CHECK(result.records[3].service == "mailman-web");
  CHECK(result.records[3].text == "  File \"<string>\", line 1");
  CHECK(result.records[8].text == "mailman-web exited with code 1");
  CHECK(result.records[8].service == "mailman-web");

  ParseResult pm2 = text(realworld_lines("node-ruby-php-rust-go/node-eaddrinuse-pm2-logs.log", 2));
  REQUIRE(pm2.records.size() == 2);
  CHECK(pm2.records[0].service == "server");
  CHECK(pm2.records[0].instance == "0|server");
  CHECK(pm2.records[0].text == "    at Function.Module._load (internal/modules/cjs/loader.js:498:3)");
}

TEST_CASE("kubectl logs --prefix: the pod is the instance, the container the service") {
  // kubectl's prefix around a line of the corpus.
  ParseResult result = text(
      "[pod/museum-7d4b9c6f5-x2x9q/museum] panic: dial tcp [::1]:5432: connect: connection refused\n"
      "[pod/museum-7d4b9c6f5-x2x9q/museum] \n"
      "[pod/museum-7d4b9c6f5-x2x9q/museum] goroutine 1 [running]:\n");
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 3);
  CHECK(result.records[0].text == "panic: dial tcp [::1]:5432: connect: connection refused");
  CHECK(result.records[0].service == "museum");
  CHECK(result.records[0].instance == "museum-7d4b9c6f5-x2x9q");
  CHECK(result.records[1].text.empty());
  CHECK(result.records[2].text == "goroutine 1 [running]:");
  // Not a prefix: a bracket that is the application's.
  CHECK(text("[pod/x] oops\n").records[0].text == "[pod/x] oops");
}

TEST_CASE("journald: unit, host/pid, time - a CJK month - a traceback under gunicorn[507] assembles") {
  ParseResult result = text(realworld("python/py-gunicorn-journald-no-module-gunicorn-mycodo.log"));
  INFO(all_errors(result));
  REQUIRE(result.records.size() >= 6);
  CHECK(result.records[0].text.starts_with("-- Logs begin at"));
  const LogRecord& started = result.records[1];  // 12月 21 22:22:32 raspberrypi systemd[1]: Started gunicorn …
  CHECK(started.text == "Started gunicorn daemon for Mycodo flask web user interface.");
  CHECK(started.service == "systemd");
  CHECK(started.instance == "raspberrypi/1");
  CHECK(started.time == *parse_rfc3339("2025-12-21T22:22:32Z"));  // the latest December before the reading
  const LogRecord& traceback = result.records[2];
  CHECK(traceback.text == "Traceback (most recent call last):");
  CHECK(traceback.service == "gunicorn");
  CHECK(traceback.instance == "raspberrypi/507");
  CHECK(result.records[3].text == "  File \"/var/mycodo-root/env/bin/gunicorn\", line 5, in <module>");
  // The line before the first timed one takes that line's time.
  CHECK(result.records[0].time == started.time);

  std::vector<LogRecord> out = assembled(std::move(result.records));
  auto trace = std::find_if(out.begin(), out.end(), [](const LogRecord& r) { return r.culprit.has_value(); });
  REQUIRE(trace != out.end());
  CHECK(trace->culprit->file == "/var/mycodo-root/env/bin/gunicorn");
  CHECK(trace->exceptions.at(0) == "ModuleNotFoundError: No module named 'gunicorn'");
}

TEST_CASE("journald: systemd's lines about a unit count for that unit") {
  ParseResult result = text(realworld_lines("node-ruby-php-rust-go/node-systemd-exec-203-missing-bin.log", 4));
  REQUIRE(result.records.size() == 4);
  CHECK(result.records[0].service == "am43ctrl");
  CHECK(result.records[0].instance == "homebridge/3382");
  CHECK(result.records[0].text ==
        "am43ctrl.service: Failed to locate executable /AM43DIRECTORY/node_modules/.bin/am43ctrl: No such file or "
        "directory");
  CHECK(result.records[2].service == "systemd");  // "Started AM43-ctrl." names no unit
  CHECK(result.records[3].service == "am43ctrl");
  CHECK(result.records[3].text == "am43ctrl.service: Main process exited, code=exited, status=203/EXEC");
}

TEST_CASE("syslog: with and without a host - a Go fatal error assembles without the prefix") {
  ParseResult kernel = text(realworld_lines("jvm-dotnet-beam-servers/java-docker-memcg-oom-killed-process-syslog.log", 2));
  REQUIRE(kernel.records.size() == 2);
  CHECK(kernel.records[1].service == "kernel");
  CHECK(kernel.records[1].instance.empty());
  CHECK(kernel.records[1].text ==
        "[ 9610.328722] Memory cgroup out of memory: Kill process 17377 (java) score 495 or sacrifice child");

  ParseResult result = text(realworld("node-ruby-php-rust-go/go-fatal-concurrent-map-writes-dockerd-syslog.log"));
  INFO(all_errors(result));
  REQUIRE_FALSE(result.records.empty());
  CHECK(result.records[0].text == "fatal error: concurrent map writes");
  CHECK(result.records[0].service == "dockerd");
  CHECK(result.records[0].instance == "registry");
  std::vector<LogRecord> out = assembled(std::move(result.records));
  REQUIRE_FALSE(out.empty());
  CHECK(out[0].text.starts_with("fatal error: concurrent map writes\ngoroutine 12334 [running]:\nruntime.throw("));
  CHECK(out[0].exceptions.at(0) == "fatal error: concurrent map writes");
}

TEST_CASE("syslog: RFC 5424 and RFC 3164 with PRI, rsyslog's ISO timestamps") {
  // RFC 5424 section 6.5, examples 1 and 3; RFC 3164 section 5.4.
  ParseResult result = text(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8\n"
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"] An application event log entry...\n"
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
      "2021-10-31T17:29:41+01:00 DietPi mariadbd[201156]: 2021-10-31 17:29:41 0 [ERROR] Aborting\n");
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 4);
  CHECK(result.records[0].text == "'su root' failed for lonvick on /dev/pts/8");
  CHECK(result.records[0].service == "su");
  CHECK(result.records[0].instance == "mymachine.example.com");
  CHECK(result.records[0].severity == "CRITICAL");  // 34 = auth.crit
  CHECK(result.records[0].time == *parse_rfc3339("2003-10-11T22:14:15.003Z"));
  CHECK(result.records[1].text == "An application event log entry...");
  CHECK(result.records[1].service == "evntslog");
  CHECK(result.records[1].severity == "NOTICE");  // 165 = local4.notice
  CHECK(result.records[2].text == "'su root' failed for lonvick on /dev/pts/8");
  CHECK(result.records[2].severity == "CRITICAL");
  CHECK(result.records[3].service == "mariadbd");
  CHECK(result.records[3].instance == "DietPi/201156");
  CHECK(result.records[3].time == *parse_rfc3339("2021-10-31T16:29:41Z"));
  // The application's own timestamp after the envelope goes too; its level is read.
  CHECK(result.records[3].text == "0 [ERROR] Aborting");
  CHECK(result.records[3].app_level == "ERROR");
}

TEST_CASE("an ISO timestamp and a word with a colon is not syslog") {
  // docker logs -t of a Python exception line: not a tag "ModuleNotFoundError".
  ParseResult result = text("2020-02-22T16:00:00.284950Z ModuleNotFoundError: No module named 'django_heroku'\n");
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].text == "ModuleNotFoundError: No module named 'django_heroku'");
  CHECK(result.records[0].service == "given");
  CHECK(result.records[0].time == *parse_rfc3339("2020-02-22T16:00:00.284950Z"));
}

TEST_CASE("CRI node files: time and stream, P pieces joined up to F") {
  ParseResult result = text(realworld("jvm-dotnet-beam-servers/native-fluent-bit-healthy-start-cri.log"));
  INFO(all_errors(result));
  REQUIRE(result.records.size() >= 3);
  CHECK(result.records[0].text == "Fluent-Bit v0.14.4");
  CHECK(result.records[0].stream == "stderr");
  CHECK(result.records[0].time == *parse_rfc3339("2018-10-31T19:24:43.718467142Z"));
  CHECK(result.records[2].text.empty());

  // A line the runtime split: pieces of stdout interleaved with a whole stderr line.
  ParseResult split = text(
      "2018-10-31T19:24:43.718467142Z stdout P Fluent-Bit \n"
      "2018-10-31T19:24:43.718502866Z stderr F Copyright (C) Treasure Data\n"
      "2018-10-31T19:24:43.718512241Z stdout P v0.14\n"
      "2018-10-31T19:24:43.718512242Z stdout F .4\n");
  INFO(all_errors(split));
  REQUIRE(split.records.size() == 2);
  CHECK(split.records[0].text == "Copyright (C) Treasure Data");
  CHECK(split.records[1].text == "Fluent-Bit v0.14.4");
  CHECK(split.records[1].stream == "stdout");
  CHECK(split.records[1].time == *parse_rfc3339("2018-10-31T19:24:43.718467142Z"));  // its first piece's
  CHECK(split.input_records == 4);

  // Pieces that add up to more than max_line_bytes are refused as one line.
  ParseOptions tight;
  tight.max_line_bytes = 90;
  const std::string fifty(50, 'x');
  ParseResult refused = parse_input(
      "2018-10-31T19:24:43.718467142Z stdout P " + fifty + "\n"
      "2018-10-31T19:24:43.718467143Z stdout F " + fifty + "\n"
      "2018-10-31T19:24:43.718467144Z stdout F ok\n",
      InputFormat::text, tight);
  REQUIRE(refused.errors.size() == 1);
  CHECK(refused.errors[0].limit == "max_line_bytes");
  CHECK(refused.errors[0].index == 0);
  REQUIRE(refused.records.size() == 1);
  CHECK(refused.records[0].text == "ok");
}

TEST_CASE("Docker json-file lines: log, stream and time - the Java trace inside assembles") {
  for (InputFormat format : {InputFormat::text, InputFormat::automatic}) {
    CAPTURE(static_cast<int>(format));
    ParseResult result = text(realworld("jvm-dotnet-beam-servers/java-spring-tomcat-start-failed-docker-json-k8s.log"), format);
    INFO(all_errors(result));
    REQUIRE(result.records.size() == 3);
    const LogRecord& first = result.records[0];
    CHECK(first.text ==
          "ERROR 2020-04-08 11:59:35,029 [main] org.springframework.boot.SpringApplication Application run failed");
    CHECK(first.stream == "stdout");
    CHECK(first.time == *parse_rfc3339("2020-04-08T11:59:35.032756254Z"));
    CHECK(first.app_level == "ERROR");
    CHECK(result.records[2].text ==
          "\tat org.springframework.boot.web.embedded.tomcat.TomcatWebServer.start(TomcatWebServer.java:215)");
    std::vector<LogRecord> out = assembled(std::move(result.records));
    REQUIRE(out.size() == 2);
    CHECK(out[1].exceptions.at(0) ==
          "org.springframework.boot.web.server.WebServerException: Unable to start embedded Tomcat server");
    REQUIRE(out[1].culprit);
    CHECK(out[1].culprit->file == "TomcatWebServer.java");
  }
}

TEST_CASE("Docker json-file lines mixed with text, and 16 KiB pieces joined") {
  std::string piece(16 * 1024, 'a');
  std::string body = "Attaching to api\n"
                     R"({"log":")" + piece + R"(","stream":"stderr","time":"2020-04-08T11:59:35.032756254Z"})" "\n"
                     R"({"log":"b\n","stream":"stderr","time":"2020-04-08T11:59:35.032756255Z"})" "\n";
  ParseResult result = text(body);
  INFO(all_errors(result));
  REQUIRE(result.records.size() == 2);
  CHECK(result.records[0].text == "Attaching to api");
  CHECK(result.records[1].text == piece + "b");
  CHECK(result.records[1].stream == "stderr");
}

TEST_CASE("Heroku: the dyno is the instance, its type the service, for app and router lines alike") {
  ParseResult result = text(realworld("node-ruby-php-rust-go/node-cannot-find-module-heroku-crashed.log"));
  INFO(all_errors(result));
  REQUIRE(result.records.size() > 14);
  CHECK(result.records[1].text == "npm ERR! Please include the following file with any support request:");
  CHECK(result.records[1].service == "web");
  CHECK(result.records[1].instance == "web.1");
  CHECK(result.records[4].text == "Process exited with status 1");  // heroku[web.1]
  CHECK(result.records[4].service == "web");
  CHECK(result.records[14].text == "Error: Cannot find module 'node-telegram-bot-api'");
  CHECK(result.records[14].time == *parse_rfc3339("2016-08-31T10:33:03.058752+00:00"));
}

TEST_CASE("Cloud Foundry: source and stream") {
  ParseResult result = text(realworld_lines("node-ruby-php-rust-go/node-cannot-find-express-cloudfoundry.log", 4));
  REQUIRE(result.records.size() == 4);
  CHECK(result.records[3].text == "Error: Cannot find module 'express'");
  CHECK(result.records[3].instance == "APP/0");
  CHECK(result.records[3].stream == "stderr");
  CHECK(result.records[3].time == *parse_rfc3339("2017-05-15T13:11:06.051Z"));
}

TEST_CASE("leading timestamps: docker logs -t and Docker Desktop - Node's trace assembles without them") {
  for (const char* name : {"node-ruby-php-rust-go/node-missing-dist-main-docker-timestamps.log",
                           "node-ruby-php-rust-go/node-missing-src-index-docker-desktop.log"}) {
    CAPTURE(name);
    ParseResult result = text(realworld(name));
    INFO(all_errors(result));
    for (const LogRecord& record : result.records) {
      CHECK_FALSE(record.text.starts_with("202"));
      CHECK(record.time != kArrival);
    }
    std::vector<LogRecord> out = assembled(std::move(result.records));
    auto trace = std::find_if(out.begin(), out.end(), [](const LogRecord& r) { return !r.exceptions.empty(); });
    REQUIRE(trace != out.end());
    CHECK(trace->text.find("  throw err;\n  ^") != std::string::npos);
    CHECK(trace->exceptions[0].starts_with("Error: Cannot find module '"));
  }
}

TEST_CASE("leading timestamps of application loggers: read, removed, the level kept in the text") {
  struct Case {
    std::string line, text, time, level;
  };
  std::vector<Case> cases = {
      // postgres (zone abbreviation), gunicorn (bracketed, +0000), nginx, php-fpm, Elasticsearch, mysql
      {"2019-10-10 16:14:42.538 MSK [9590] FATAL:  database files are incompatible with server",
       "[9590] FATAL:  database files are incompatible with server", "2019-10-10T13:14:42.538Z", "CRITICAL"},
      {"[2023-11-23 14:43:45 +0000] [1] [INFO] Starting gunicorn 21.2.0", "[1] [INFO] Starting gunicorn 21.2.0",
       "2023-11-23T14:43:45Z", "INFO"},
      {"2024/06/22 16:54:59 [emerg] 1#1: host not found in upstream \"pipedfrontend:80\"",
       "[emerg] 1#1: host not found in upstream \"pipedfrontend:80\"", "2024-06-22T16:54:59Z", "EMERGENCY"},
      {"[25-Sep-2016 17:22:20] ERROR: FPM initialization failed", "ERROR: FPM initialization failed",
       "2016-09-25T17:22:20Z", "ERROR"},
      {"[2018-05-17T08:19:35,939][INFO ][o.e.n.Node               ] [] initializing ...",
       "[INFO ][o.e.n.Node               ] [] initializing ...", "2018-05-17T08:19:35.939Z", "INFO"},
      {"2019-03-24T13:44:25.484123Z 0 [System] [MY-013169] [Server] /usr/sbin/mysqld (mysqld 8.0.15)",
       "0 [System] [MY-013169] [Server] /usr/sbin/mysqld (mysqld 8.0.15)", "2019-03-24T13:44:25.484123Z", "INFO"},
      // Spring Boot pads its level; supervisord; celery's level inside the bracket
      {"2021-09-15 23:52:07.267  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat "
       "initialized with port(s): 8080 (http)",
       "INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port(s): "
       "8080 (http)",
       "2021-09-15T23:52:07.267Z", "INFO"},
      {"2016-09-04 19:12:10,757 INFO exited: nutch (exit status 127; not expected)",
       "INFO exited: nutch (exit status 127; not expected)", "2016-09-04T19:12:10.757Z", "INFO"},
      {"[2025-02-04 21:06:52,756: WARNING/MainProcess] /usr/local/lib/python3.8/site-packages/celery/worker/"
       "consumer/consumer.py:507: CPendingDeprecationWarning",
       "/usr/local/lib/python3.8/site-packages/celery/worker/consumer/consumer.py:507: CPendingDeprecationWarning",
       "2025-02-04T21:06:52.756Z", "WARNING"},
      {"[Thu Dec  7 00:05:14 2017] Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child",
       "Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child", "2017-12-07T00:05:14Z",
       ""},
      {"[2024-09-04T16:00:18.088254+00:00] deprecation.INFO: User Deprecated: Since twig/twig 3.12",
       "deprecation.INFO: User Deprecated: Since twig/twig 3.12", "2024-09-04T16:00:18.088254Z", "INFO"},
      // klog: the whole header goes, the year is inferred
      {"W1019 22:17:30.551731       7 client_config.go:617] Neither --kubeconfig nor --master was specified.",
       "Neither --kubeconfig nor --master was specified.", "2026-10-19T22:17:30.551731Z", "WARNING"},
      // a level first, the time after it: both read, nothing removed
      {"ERROR 2020-04-08 11:59:35,029 [main] org.springframework.boot.SpringApplication Application run failed",
       "ERROR 2020-04-08 11:59:35,029 [main] org.springframework.boot.SpringApplication Application run failed",
       "2020-04-08T11:59:35.029Z", "ERROR"},
      {"time=\"2023-10-29T12:38:56Z\" level=fatal msg=\"dial tcp 172.24.0.2:5432: connect: connection refused\"",
       "time=\"2023-10-29T12:38:56Z\" level=fatal msg=\"dial tcp 172.24.0.2:5432: connect: connection refused\"",
       "2023-10-29T12:38:56Z", "CRITICAL"},
      // no timestamp: levels alone
      {"INFO:     Waiting for application startup.", "INFO:     Waiting for application startup.", "", "INFO"},
      {"2024-10-14 07:51:37,172 uvicorn.error INFO Started server process [7]",
       "uvicorn.error INFO Started server process [7]", "2024-10-14T07:51:37.172Z", "INFO"},
      {"nginx: [emerg] unknown directive \"$forward_scheme\" in /data/nginx/proxy_host/4.conf:29",
       "nginx: [emerg] unknown directive \"$forward_scheme\" in /data/nginx/proxy_host/4.conf:29", "", "EMERGENCY"},
      {"Traceback (most recent call last):", "Traceback (most recent call last):", "", ""},
      {"ModuleNotFoundError: No module named 'django'", "ModuleNotFoundError: No module named 'django'", "", ""},
      {"    at Module._compile (module.js:409:26)", "    at Module._compile (module.js:409:26)", "", ""},
      {"fatal error: concurrent map writes", "fatal error: concurrent map writes", "", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    ParseResult result = text(c.line + "\n");
    REQUIRE(result.records.size() == 1);
    const LogRecord& r = result.records[0];
    CHECK(r.text == c.text);
    CHECK(r.time == (c.time.empty() ? kArrival : *parse_rfc3339(c.time)));
    CHECK(r.app_level == c.level);
  }
}

TEST_CASE("time carries over: untimed lines take the previous line's time, leading ones the first time") {
  ParseResult result = text(
      "Error starting ApplicationContext. To display the conditions report re-run your application with 'debug' "
      "enabled.\n"
      "2019-07-12 18:25:20 ERROR (LoggingFailureAnalysisReporter.java:42)- \n"
      "***************************\n"
      "APPLICATION FAILED TO START\n");
  REQUIRE(result.records.size() == 4);
  const Timestamp t = *parse_rfc3339("2019-07-12T18:25:20Z");
  for (const LogRecord& r : result.records) CHECK(r.time == t);
  CHECK(result.records[1].text == "ERROR (LoggingFailureAnalysisReporter.java:42)- ");
  CHECK(result.records[1].app_level == "ERROR");
  CHECK(result.records[2].app_level.empty());
}

TEST_CASE("envelopes are recognised only whole") {
  Envelope e;
  CHECK(read_envelope("web  |", kArrival, e));  // an empty compose line
  CHECK(e.body == 6);
  for (std::string_view line : {
           "|foo  | bar",
           "  web_1  | indented",
           "web_1| no space before the bar",
           "web_1  |no space after the bar",
           "[pod/only-pod] x",
           "2018-10-31T19:24:43.718467142Z stdin F x",
           "2018-10-31T19:24:43.718467142Z stdout X x",
           "Oct 31 17:29:41 DietPi no tag here",
           "Oct 99 17:29:41 DietPi mariadbd[1]: x",
           "2020-02-22T16:00:00Z Error: boom",
           "2020-02-22 16:00:00 app[web.1]: with a space in the time",
           "<999>1 2003-10-11T22:14:15.003Z h a - - - x",
       }) {
    CAPTURE(line);
    CHECK_FALSE(read_envelope(line, kArrival, e));
  }
}

}  // namespace
}  // namespace faultline
