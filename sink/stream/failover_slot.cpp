// Failover slots: created or altered on the replication connection.
#include "stream/failover_slot.h"

#include "log.h"
#include "pg/quote.h"
#include "pg/replication_stream.h"
#include "stream/server_setup.h"

namespace pgtrail {

std::string failover_slot_option(const RunConfig &config) { return config.failover ? "FAILOVER true" : ""; }

std::string failover_unsupported(const RunConfig &config, int server_version_num) {
    if (!config.failover || server_version_num >= kFailoverSlotsVersion) return "";
    return "--failover needs PostgreSQL 17 or later (failover slots), but the source runs " +
           std::to_string(server_version_num / 10000) + "; run without --failover";
}

asio::awaitable<void> require_failover_slots(PgConnection &repl, const RunConfig &config) {
    if (!config.failover) co_return;
    PgResult version = co_await repl.query("SHOW server_version_num");
    std::string problem = failover_unsupported(config, std::stoi(PQgetvalue(version.get(), 0, 0)));
    if (!problem.empty()) throw FatalError(problem);
}

asio::awaitable<void> make_slot_failover(PgConnection &repl, const RunConfig &config) {
    if (!config.failover) co_return;
    std::string lookup = "SELECT failover FROM pg_replication_slots WHERE slot_name = " + quote_literal(repl.get(), config.slot);
    PgResult found = co_await repl.query(lookup);
    if (PQntuples(found.get()) == 1 && std::string(PQgetvalue(found.get(), 0, 0)) == "t") co_return;
    std::string alter = "ALTER_REPLICATION_SLOT " + quote_identifier(repl.get(), config.slot) + " (FAILOVER true)";
    co_await repl.query(alter);
    log::info("replication slot " + config.slot + " now has failover = true: a standby with sync_replication_slots keeps it");
}

}  // namespace pgtrail
