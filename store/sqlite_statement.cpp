#include "store/sqlite_statement.h"

#include <sqlite3.h>

namespace faultline::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc) {
  // The connection's message is more specific than sqlite3_errstr (it names the
  // file of an I/O error, the column of a constraint), when it belongs to rc.
  int code = db ? sqlite3_extended_errcode(db) : rc;
  if ((code & 0xff) != (rc & 0xff)) throw Error(rc, sqlite3_errstr(rc));
  throw Error(code, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

}  // namespace

void ConnectionCloser::operator()(sqlite3* db) const {
  // Statements are finalized before their connection (the store destroys them
  // first), so close_v2 here releases the file and checkpoints the WAL.
  sqlite3_close_v2(db);
}

Connection open_connection(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  // NOMUTEX: the store is used from one thread at a time, so SQLite's own
  // per-call mutex would only cost time. EXRESCODE: errors keep their detail
  // (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_FSYNC, …).
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) fail(raw, rc);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

void exec(sqlite3* db, const std::string& sql) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db, rc);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Run::Run(Statement& statement) : statement_(statement) {}

Statement::Run::~Run() {
  sqlite3_reset(statement_.stmt_);
  sqlite3_clear_bindings(statement_.stmt_);
}

void Statement::Run::check_bind(int rc) {
  if (rc != SQLITE_OK) fail(statement_.db_, rc);
}

Statement::Run& Statement::Run::bind(int index, std::string_view text) {
  check_bind(sqlite3_bind_text64(statement_.stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement::Run& Statement::Run::bind(int index, int64_t value) {
  check_bind(sqlite3_bind_int64(statement_.stmt_, index, value));
  return *this;
}

Statement::Run& Statement::Run::bind_null(int index) {
  check_bind(sqlite3_bind_null(statement_.stmt_, index));
  return *this;
}

bool Statement::Run::step() {
  int rc = sqlite3_step(statement_.stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(statement_.db_, rc);
}

void Statement::Run::done() {
  while (step()) {
  }
}

int64_t Statement::Run::int64(int column) const { return sqlite3_column_int64(statement_.stmt_, column); }

std::string Statement::Run::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_.stmt_, column));
  int size = sqlite3_column_bytes(statement_.stmt_, column);
  return data ? std::string(data, static_cast<size_t>(size)) : std::string();
}

bool Statement::Run::is_null(int column) const {
  return sqlite3_column_type(statement_.stmt_, column) == SQLITE_NULL;
}

Transaction::Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  // A failed COMMIT may already have rolled back (SQLITE_FULL, I/O errors); only
  // roll back what is still open, and never throw from a destructor.
  if (!finished_ && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  exec(db_, "COMMIT");
  finished_ = true;
}

}  // namespace faultline::sqlite
