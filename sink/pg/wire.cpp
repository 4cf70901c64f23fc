// Replication protocol messages.
#include "pg/wire.h"

namespace pgtrail {

namespace {

void append_be64(std::string &out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

}  // namespace

std::uint64_t read_be64(const char *p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

std::optional<XLogData> parse_xlogdata(std::string_view msg) {
    constexpr std::size_t kHeader = 1 + 8 + 8 + 8;
    if (msg.size() < kHeader || msg[0] != 'w') return std::nullopt;
    XLogData x;
    x.data_start = read_be64(msg.data() + 1);
    x.wal_end = read_be64(msg.data() + 9);
    x.send_time = static_cast<std::int64_t>(read_be64(msg.data() + 17));
    x.payload = msg.substr(kHeader);
    return x;
}

std::optional<Keepalive> parse_keepalive(std::string_view msg) {
    if (msg.size() < 1 + 8 + 8 + 1 || msg[0] != 'k') return std::nullopt;
    Keepalive k;
    k.wal_end = read_be64(msg.data() + 1);
    k.send_time = static_cast<std::int64_t>(read_be64(msg.data() + 9));
    k.reply_requested = msg[17] != 0;
    return k;
}

std::string build_status_update(std::uint64_t write, std::uint64_t flush, std::uint64_t apply,
                                std::int64_t now_unix_micros, bool reply_requested) {
    std::string msg;
    msg.reserve(34);
    msg.push_back('r');
    append_be64(msg, write);
    append_be64(msg, flush);
    append_be64(msg, apply);
    append_be64(msg, static_cast<std::uint64_t>(now_unix_micros - kPostgresEpochOffsetMicros));
    msg.push_back(reply_requested ? 1 : 0);
    return msg;
}

}  // namespace pgtrail
