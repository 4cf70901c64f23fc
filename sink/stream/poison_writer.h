// Writes COPY rows that the destination refused once, inside the batch's open transaction,
// so that every change is stored and the progress still commits with the rows exactly once:
// each chunk is COPYed under a savepoint; a chunk refused for its data (is_data_error) is
// rolled back and halved until the refused rows stand alone; such a row is stored with each
// value jsonb refuses in the closest faithful form (its JSON text as a string, else a
// placeholder) and those columns listed in lossy (stream/poison_row.h). Logs name the table,
// LSN and columns, never a value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pg/pg_connection.h"
#include "stream/poison_row.h"

namespace pgtrail {

class PoisonWriter {
public:
    /// copy_sql: "COPY <changes> (<columns>) FROM STDIN".
    PoisonWriter(PgConnection &conn, std::string copy_sql);

    /// Writes whole COPY rows inside the open transaction. Throws FatalError when a row is
    /// refused even after every refused value was replaced (it names the change, not its values).
    asio::awaitable<void> write(std::string_view rows);

private:
    /// COPYs rows under a savepoint; false (rolled back) when refused for their data.
    asio::awaitable<bool> try_copy(std::string_view rows);
    /// The SQLSTATE with which jsonb refuses json, or nullopt when it takes it.
    asio::awaitable<std::optional<std::string>> jsonb_refusal(const std::string &json);
    /// The row with each refused value replaced and listed in lossy.
    asio::awaitable<std::string> repair(std::string_view line);
    /// Repairs one image (a COPY field); appends the columns replaced to lossy and notes.
    asio::awaitable<void> repair_image(std::string &field, std::vector<std::string> &lossy, std::string &notes);
    /// Runs sql; a data error rolls back to the savepoint and is returned, anything else is thrown.
    asio::awaitable<std::optional<std::string>> under_savepoint(const std::string &sql, const std::vector<std::string> &params);

    PgConnection &conn_;
    std::string copy_sql_;
};

}  // namespace pgtrail
