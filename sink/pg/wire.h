// The streaming replication protocol's CopyData messages (XLogData, keepalive,
// standby status update), as documented in protocol-replication.html. Pure C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgtrail {

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
inline constexpr std::int64_t kPostgresEpochOffsetMicros = 946684800LL * 1000000;

/// 'w': a chunk of decoded output.
struct XLogData {
    std::uint64_t data_start = 0;
    std::uint64_t wal_end = 0;
    std::int64_t send_time = 0;
    std::string_view payload;
};

/// 'k': the server's keepalive.
struct Keepalive {
    std::uint64_t wal_end = 0;
    std::int64_t send_time = 0;
    bool reply_requested = false;
};

/// Parses a 'w' message; nullopt when it is not one or is truncated.
std::optional<XLogData> parse_xlogdata(std::string_view msg);

/// Parses a 'k' message; nullopt when it is not one or is truncated.
std::optional<Keepalive> parse_keepalive(std::string_view msg);

/// Builds an 'r' standby status update (write, flush, apply positions; now in Unix micros).
std::string build_status_update(std::uint64_t write, std::uint64_t flush, std::uint64_t apply,
                                std::int64_t now_unix_micros, bool reply_requested);

/// Reads a big-endian 64-bit integer.
std::uint64_t read_be64(const char *p);

}  // namespace pgtrail
