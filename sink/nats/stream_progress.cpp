// The stream progress SQL.
#include "nats/stream_progress.h"

namespace pgtrail {

std::string stream_progress_read_sql(std::string_view stream, std::string_view consumer, const SqlQuoting &quote) {
    return "SELECT sequence FROM pgtrail.stream_progress WHERE stream = " + quote.literal(stream) + " AND consumer = " + quote.literal(consumer);
}

std::string stream_progress_record_sql(std::string_view stream, std::string_view consumer, std::uint64_t sequence,
                                       std::uint64_t commit_lsn, const SqlQuoting &quote) {
    return "INSERT INTO pgtrail.stream_progress AS p (stream, consumer, sequence, commit_lsn) VALUES (" + quote.literal(stream) + ", " +
           quote.literal(consumer) + ", " + std::to_string(sequence) + ", " + std::to_string(commit_lsn) +
           ") ON CONFLICT (stream, consumer) DO UPDATE SET sequence = excluded.sequence, commit_lsn = excluded.commit_lsn, updated_at = now()";
}

std::string stream_lock_name(std::string_view stream, std::string_view consumer) {
    return "nats:" + std::string(stream) + "/" + std::string(consumer);
}

}  // namespace pgtrail
