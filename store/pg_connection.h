// Small RAII wrappers over libpq for the PostgreSQL store: a connection, a query
// result, a transaction, and waiting for NOTIFY. Internal to the PostgreSQL
// store and journal; nothing here is part of the store's contract.
//
// Queries always go through PQexecParams (text parameters, text results): no
// value is ever spliced into SQL. Failures throw pg::Error carrying the
// SQLSTATE, so callers can tell "connection lost" from "constraint violated".
// Not thread-safe: a connection belongs to one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace faultline::pg {

struct Error : std::runtime_error {
  Error(std::string sqlstate, const std::string& message) : std::runtime_error(message), sqlstate(std::move(sqlstate)) {}
  std::string sqlstate;  // "" when the connection itself failed
  bool connection_lost() const { return sqlstate.empty() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0; }
};

// A NULL parameter or column is std::nullopt.
using Param = std::optional<std::string>;

class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  long long int64(int row, int column) const;
  long long affected_rows() const;  // INSERT/UPDATE/DELETE

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

class Connection {
 public:
  // `url` is a libpq connection URI or key=value string. Throws Error naming the
  // server's reason ("connection to server at 127.0.0.1, port 5433 failed: …").
  // Unless the URL says otherwise, connecting gives up after 10 s and a peer that
  // vanishes (a partition, a dead host) is noticed within about 30 s, so a lost
  // database fails requests (503) and releases the leader lock instead of hanging.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result exec(std::string_view sql, const std::vector<Param>& params = {});
  // Several statements without parameters (schema migrations).
  void exec_script(const std::string& sql);
  // Waits up to `timeout` for a NOTIFY on a channel this connection LISTENs to.
  // True when one (or more) arrived; they are consumed. Throws Error when the
  // connection broke.
  bool wait_for_notification(std::chrono::milliseconds timeout);
  bool ok() const;

 private:
  Result checked(pg_result* raw);
  pg_conn* conn_;
};

// BEGIN on construction; ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& connection, std::string_view begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool finished_ = false;
};

// A text[] literal for an array parameter ('{"a","b"}'), quoting every element.
std::string array_literal(const std::vector<std::string>& values);

// The URL with any password replaced by "***", for logs and error messages.
std::string redact_url(std::string_view url);

}  // namespace faultline::pg
