// Blocking libpq.
#include "pg/blocking_pg.h"

#include <optional>

#include "log.h"
#include "pg/quote.h"

namespace pgtrail {

namespace {

bool has_key(const std::vector<std::pair<std::string, std::string>> &params, const std::string &key) {
    for (const auto &[k, v] : params)
        if (k == key) return true;
    return false;
}

}  // namespace

BlockingPg::BlockingPg(const ConnParams &conn, const std::vector<std::pair<std::string, std::string>> &extra) {
    std::vector<std::pair<std::string, std::string>> all = extra;
    if (!has_key(conn.params, "connect_timeout") && !has_key(extra, "connect_timeout")) all.emplace_back("connect_timeout", "10");
    LibpqKeywords keywords = libpq_keywords(conn, all);
    conn_.reset(PQconnectdbParams(keywords.keys.data(), keywords.values.data(), 1));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
        throw PgError(conn_ ? libpq_message(PQerrorMessage(conn_.get())) : "out of memory", "");
    PQsetNoticeProcessor(conn_.get(), log_server_notice, nullptr);
}

std::string BlockingPg::user() const {
    const char *name = PQuser(conn_.get());
    return name && *name ? name : "<user>";
}

std::string BlockingPg::describe() const {
    const char *host = PQhost(conn_.get());
    return std::string(host ? host : "") + ":" + PQport(conn_.get()) + "/" + PQdb(conn_.get()) + " as " + user();
}

PgResult BlockingPg::exec(std::string_view sql) {
    std::string text(sql);
    if (!PQsendQuery(conn_.get(), text.c_str())) throw PgError(libpq_message(PQerrorMessage(conn_.get())), "");
    PgResult last;
    std::optional<PgError> error;
    while (PgResult result{PQgetResult(conn_.get())}) {
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
            if (!error) {
                const char *state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
                const char *primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
                const char *hint = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_HINT);
                error = PgError(primary ? primary : libpq_message(PQresultErrorMessage(result.get())), state ? state : "",
                                hint ? hint : "");
            }
            continue;
        }
        last = std::move(result);
    }
    if (error) throw *error;
    if (PQstatus(conn_.get()) == CONNECTION_BAD) throw PgError(libpq_message(PQerrorMessage(conn_.get())), "");
    return last;
}

std::string BlockingPg::literal(std::string_view value) const { return quote_literal(conn_.get(), value); }

std::string BlockingPg::ident(std::string_view name) const { return quote_identifier(conn_.get(), name); }

std::string BlockingPg::value(std::string_view sql) { return cell(exec(sql), 0, 0); }

std::vector<std::vector<std::string>> BlockingPg::rows(std::string_view sql) {
    PgResult result = exec(sql);
    std::vector<std::vector<std::string>> out;
    if (!result) return out;
    for (int r = 0; r < PQntuples(result.get()); r++) {
        std::vector<std::string> row;
        for (int c = 0; c < PQnfields(result.get()); c++) row.push_back(cell(result, r, c));
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace pgtrail
