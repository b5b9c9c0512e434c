// Test support: a real PostgreSQL server from Debian's packages, on a fresh
// data directory and a free loopback port, stopped by its PID.
//
// PostgreSQL refuses to run as root; when the tests run as root (CI), initdb
// and postgres run as the `postgres` user the Debian package creates, through
// setpriv, which execs in place: the PID we hold is the postmaster's.
// fsync is off: these tests kill faultline, never PostgreSQL.
#pragma once

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/peer_process.h"
#include "tests/support/subprocess.h"

namespace faultline::testing {

class PostgresServer {
 public:
  PostgresServer() : port_(free_loopback_port()) {
    const std::string bin = bin_dir();
    std::string pattern = (std::filesystem::temp_directory_path() / "faultline-pg-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::vector<std::string> as_user;
    if (geteuid() == 0) {
      const passwd* user = getpwnam("postgres");
      if (!user) throw std::runtime_error("running as root and there is no postgres user (apt-get install postgresql)");
      if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown " + dir_.string());
      as_user = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
    }
    auto command = [&](std::vector<std::string> argv) {
      argv.insert(argv.begin(), as_user.begin(), as_user.end());
      return argv;
    };
    RunResult initdb = run_command(command({bin + "/initdb", "-D", data_dir(), "-A", "trust", "-U", "faultline",
                                            "-E", "UTF8", "--locale=C", "--no-sync"}));
    if (initdb.exit_code != 0) throw std::runtime_error("initdb failed:\n" + initdb.out + initdb.err);
    server_ = std::make_unique<PeerProcess>(
        command({bin + "/postgres", "-D", data_dir(), "-p", std::to_string(port_), "-c", "listen_addresses=127.0.0.1",
                 "-c", "unix_socket_directories=" + dir_.string(), "-c", "fsync=off", "-c", "max_connections=200"}),
        (dir_ / "postgres.log").string());
    const bool ready = eventually([&] {
      return run_command({bin + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", std::to_string(port_)}).exit_code == 0;
    });
    if (!ready) throw std::runtime_error("PostgreSQL did not start:\n" + server_->log());
  }

  ~PostgresServer() {
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
    if (server_) server_->stop(SIGINT);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates a database and returns its URL.
  std::string create_database(const std::string& name) {
    RunResult r = psql("postgres", "CREATE DATABASE " + name);
    if (r.exit_code != 0) throw std::runtime_error("CREATE DATABASE " + name + ": " + r.err);
    return url(name);
  }
  std::string url(const std::string& database) const {
    return "postgres://faultline@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }
  // One SQL command through psql, unaligned output without headers.
  RunResult psql(const std::string& database, const std::string& sql) const {
    return run_command({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                        std::to_string(port_), "-U", "faultline", "-d", database, "-c", sql});
  }
  uint16_t port() const { return port_; }
  std::string log() const { return server_ ? server_->log() : ""; }

 private:
  std::string data_dir() const { return (dir_ / "data").string(); }

  // The newest PostgreSQL that Debian's packages installed.
  static std::string bin_dir() {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec))
      if (std::filesystem::exists(entry.path() / "bin" / "postgres")) found.push_back((entry.path() / "bin").string());
    if (found.empty()) throw std::runtime_error("no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)");
    std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
      return std::stoi(std::filesystem::path(a).parent_path().filename()) <
             std::stoi(std::filesystem::path(b).parent_path().filename());
    });
    return found.back();
  }

  uint16_t port_;
  std::filesystem::path dir_;
  std::unique_ptr<PeerProcess> server_;
};

}  // namespace faultline::testing
