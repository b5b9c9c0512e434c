#include "store/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

namespace faultline::pg {
namespace {

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Defaults first: with expand_dbname the URL's own parameters, expanded in
// place of "dbname", come later and win.
pg_conn* connect(const std::string& url) {
  const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "10", "5", "3", "30000", "faultline", url.c_str(), nullptr};
  return PQconnectdbParams(keys, values, 1);
}

}  // namespace

void Result::Clear::operator()(pg_result* result) const { PQclear(result); }

int Result::rows() const { return PQntuples(result_.get()); }
bool Result::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column), PQgetlength(result_.get(), row, column));
}
long long Result::int64(int row, int column) const { return std::stoll(text(row, column)); }
long long Result::affected_rows() const {
  const char* rows = PQcmdTuples(result_.get());
  return rows && *rows ? std::stoll(rows) : 0;
}

Connection::Connection(const std::string& url) : conn_(connect(url)) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    throw Error("", reason);
  }
  // Notices (e.g. "relation already exists, skipping") are not for operators.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

Result Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  pg_result* raw = PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0);
  return checked(raw);
}

void Connection::exec_script(const std::string& sql) { checked(PQexec(conn_, sql.c_str())); }

Result Connection::checked(pg_result* raw) {
  Result result(raw);  // owns raw from here, whatever happens
  ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  // A broken connection reports no SQLSTATE: keep it "" so connection_lost() says so.
  throw Error(state && PQstatus(conn_) == CONNECTION_OK ? state : "", message);
}

bool Connection::wait_for_notification(std::chrono::milliseconds timeout) {
  auto consume = [this] {
    if (!PQconsumeInput(conn_)) throw Error("", trimmed(PQerrorMessage(conn_)));
    bool any = false;
    while (PGnotify* notify = PQnotifies(conn_)) {
      PQfreemem(notify);
      any = true;
    }
    return any;
  };
  if (consume()) return true;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) throw Error("", "the connection to PostgreSQL is closed");
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  return consume();
}

Transaction::Transaction(Connection& connection, std::string_view begin) : connection_(connection) {
  connection_.exec(begin);
}

Transaction::~Transaction() {
  if (finished_ || !connection_.ok()) return;
  try {
    connection_.exec("ROLLBACK");
  } catch (const Error&) {
    // The connection broke: the server rolls back on its own.
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  finished_ = true;
}

std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string redact_url(std::string_view url) {
  // postgres://user:secret@host/db -> postgres://user:***@host/db
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (scheme == std::string_view::npos || at == std::string_view::npos) return std::string(url);
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace faultline::pg
