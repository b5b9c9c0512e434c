// Test support: runs the real `faultline serve` on 127.0.0.1:0 with a temporary
// store, learns its port from the "listening" log line (no polling, no sleeps),
// and talks to it over loopback with a small blocking Beast client.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "codec/base64.h"

namespace faultline::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "faultline-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on a new connection (Connection: close).
inline HttpResult http_request(uint16_t port, boost::beast::http::verb method, const std::string& target,
                               const std::string& body = "",
                               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  if (!body.empty() || method == http::verb::post) request.prepare_payload();
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  http::read(socket, buffer, parser);
  HttpResult result;
  const auto& response = parser.get();
  result.status = response.result_int();
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  boost::system::error_code ec;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return result;
}

inline HttpResult http_get(uint16_t port, const std::string& target) {
  return http_request(port, boost::beast::http::verb::get, target);
}

inline HttpResult http_post(uint16_t port, const std::string& target, const std::string& body,
                            const std::string& content_type = "application/json",
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return http_request(port, boost::beast::http::verb::post, target, body, headers);
}

// A Pub/Sub push body carrying one LogEntry line.
inline std::string pubsub_envelope(const std::string& log_entry, const std::string& message_id) {
  nlohmann::json envelope = {
      {"message",
       {{"data", base64_encode(log_entry)}, {"messageId", message_id}, {"publishTime", "2025-09-16T00:50:00Z"},
        {"attributes", {{"logging.googleapis.com/timestamp", "2025-09-16T00:42:33Z"}}}}},
      {"subscription", "projects/test/subscriptions/faultline-push"}};
  return envelope.dump();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

inline std::string rules_dir() { return std::string(FAULTLINE_SOURCE_DIR) + "/rules/packs"; }

// `faultline serve` as a child process. Its stderr is collected in the
// background; the constructor returns once the daemon logged "listening" (or
// throws with the log if it exited instead).
class Daemon {
 public:
  Daemon(const std::string& store, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {FAULTLINE_BINARY, "serve", "--listen", "127.0.0.1:0", "--store", store};
    bool has_rules = false;
    for (const auto& a : extra) has_rules = has_rules || a == "--rules";
    if (!has_rules) {
      argv.push_back("--rules");
      argv.push_back(rules_dir());
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    int err[2];
    if (pipe(err) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(err[1], 2);
      close(err[0]);
      close(err[1]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(err[1]);
    reader_ = std::thread([this, fd = err[0]] {
      char buffer[4096];
      for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        std::lock_guard lock(mutex_);
        if (n <= 0) {
          eof_ = true;
          changed_.notify_all();
          break;
        }
        log_.append(buffer, static_cast<size_t>(n));
        changed_.notify_all();
      }
      close(fd);
    });
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return eof_ || log_.find(" serve listening ") != std::string::npos; });
    auto at = log_.find(" serve listening ");
    if (at == std::string::npos) {
      std::string log = log_;
      lock.unlock();
      wait_exit();
      throw std::runtime_error("faultline serve did not start:\n" + log);
    }
    auto addr = log_.find("addr=127.0.0.1:", at);
    port_ = static_cast<uint16_t>(std::stoi(log_.substr(addr + 15)));
  }

  ~Daemon() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      wait_exit();
    }
    if (reader_.joinable()) reader_.join();
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // SIGTERM and wait; the exit code (128+N when killed by signal N).
  int stop() {
    ::kill(pid_, SIGTERM);
    return wait_exit();
  }
  void kill9() {
    ::kill(pid_, SIGKILL);
    wait_exit();
  }
  void signal(int sig) { ::kill(pid_, sig); }

  std::string log() {
    std::lock_guard lock(mutex_);
    return log_;
  }
  // Blocks until the log contains `text` or the daemon's stderr closes.
  bool wait_for_log(const std::string& text) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return eof_ || log_.find(text) != std::string::npos; });
    return log_.find(text) != std::string::npos;
  }

 private:
  int wait_exit() {
    if (exited_) return exit_code_;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (reader_.joinable()) reader_.join();
    return exit_code_;
  }

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  int exit_code_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool eof_ = false;
};

}  // namespace faultline::testing
