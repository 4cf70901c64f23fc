// START_REPLICATION, again without max-message-bytes when the plugin predates it.
#include "stream/source_start.h"

#include <optional>
#include <utility>

#include "log.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

/// The server's refusal, if any.
asio::awaitable<std::optional<PgError>> try_start(ReplicationStream &source, const std::string &slot, std::uint64_t lsn,
                                                  const std::string &options) {
    std::optional<PgError> refused;  // co_await is not allowed inside a catch block
    try {
        co_await source.start(slot, lsn, options);
    } catch (const PgError &error) {
        refused = error;
    }
    co_return refused;
}

}  // namespace

asio::awaitable<void> start_source_stream(ReplicationStream &source, const std::string &slot, std::uint64_t lsn, const SourceFormat &format) {
    std::optional<PgError> refused = co_await try_start(source, slot, lsn, format.start_options);
    if (refused && format.legacy_options && plugin_predates_pieces(refused->what())) {
        static bool warned = false;  // once per process, not at every reconnect
        if (!std::exchange(warned, true))
            log::warn("the pgtrail plugin on the source is older than this sink and cannot send a record in pieces: "
                      "a huge record takes about twice its size in sink memory; update the plugin on the source");
        std::optional<PgError> refused_again = co_await try_start(source, slot, lsn, *format.legacy_options);
        refused = std::move(refused_again);
    }
    if (!refused) co_return;
    if (refused->sqlstate == "22023") throw FatalError(refused->what());
    explain_start_error(*refused);
}

}  // namespace pgtrail
