// Errors as JSON: the client's mistakes with the server's own words, everything else without details.
#include "ui/api_errors.h"

#include "log.h"
#include "pg/pg_connection.h"
#include "ui/json_text.h"

namespace pgtrail::ui {

namespace {

Reply json_reply(unsigned status, const std::string &message) {
    return Reply{status, "application/json; charset=utf-8", json_error(message), {}};
}

/// A PostgreSQL error by SQLSTATE: bad input (a value PostgreSQL could not read, an unknown table or
/// key) is 400, nothing found 404, not allowed 403, a revert refused 409, a timeout 503; the rest is ours: 500.
Reply database_error(const PgError &error) {
    const std::string &state = error.sqlstate;
    if (state.empty()) return json_reply(503, "the destination database is not reachable");
    std::string message = error.what();
    if (!error.hint.empty()) message += " (" + error.hint + ")";
    if (state.rfind("22", 0) == 0 || state == "42P01" || state == "42704" || state == "3F000" || state == "0A000" || state == "42602")
        return json_reply(400, message);
    if (state == "P0002") return json_reply(404, message);
    if (state == "55006" || state == "21000" || state == "23505" || state == "23503") return json_reply(409, message);
    if (state == "57014") return json_reply(503, "the query took longer than the UI's statement timeout (30 s); narrow the filters");
    if (state == "25006") return json_reply(403, "the UI's session is read-only");
    if (state == "42501") return json_reply(403, message);  // the role lacks a grant (a read-only role writing)
    log::warn("ui: query failed: " + message + " (SQLSTATE " + state + ")");
    return json_reply(500, "the query failed (see the pgtrail ui log)");
}

}  // namespace

Reply error_reply(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const BadRequest &bad) {
        return json_reply(400, bad.what());
    } catch (const PgError &pg) {
        return database_error(pg);
    } catch (const std::exception &other) {
        log::warn(std::string("ui: request failed: ") + other.what());
        return json_reply(500, "internal error (see the pgtrail ui log)");
    }
}

}  // namespace pgtrail::ui
