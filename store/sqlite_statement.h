// Small RAII wrappers over the sqlite3 C API for the SQLite store: a connection,
// a prepared statement and a write transaction. Internal to sqlite_store.cpp;
// nothing here is part of the store's contract.
//
// Failures throw sqlite::Error carrying SQLite's extended result code, so the
// store can turn "database or disk is full" into a StoreError with a hint.
// Not thread-safe: a connection and its statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace faultline::sqlite {

struct Error : std::runtime_error {
  Error(int code, const std::string& message) : std::runtime_error(message), code(code) {}
  int code;  // SQLite extended result code (SQLITE_FULL, SQLITE_READONLY_…, …)
  int primary() const { return code & 0xff; }
};

struct ConnectionCloser {
  void operator()(sqlite3* db) const;
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

// Opens (creating when `create`) the database file. Throws Error.
Connection open_connection(const std::string& path, bool create);

// Runs SQL without results (pragmas, DDL, BEGIN/COMMIT). Throws Error.
void exec(sqlite3* db, const std::string& sql);

// One prepared statement. Prepared once with SQLITE_PREPARE_PERSISTENT and reused:
// each use binds, steps and is reset by a Statement::Run, so a cached statement
// never keeps a read transaction open between uses.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds, steps and reads one use of the statement; resets it when destroyed.
  // Parameters are 1-based, columns 0-based, as in SQLite.
  class Run {
   public:
    explicit Run(Statement& statement);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    Run& bind(int index, std::string_view text);
    Run& bind(int index, int64_t value);
    Run& bind_null(int index);
    // True when a row is ready; false when the statement is done. Throws Error.
    bool step();
    // Steps to completion, for statements without results.
    void done();

    int64_t int64(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

   private:
    void check_bind(int rc);
    Statement& statement_;
  };

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock now rather than failing
// with SQLITE_BUSY halfway through); ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  sqlite3* db_;
  bool finished_ = false;
};

}  // namespace faultline::sqlite
