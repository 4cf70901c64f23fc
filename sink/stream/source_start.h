// START_REPLICATION for a streaming session (direct or NATS reader), with the fallback for a
// pgtrail plugin older than max-message-bytes: it refuses the option, so the stream starts again
// without it (one warning per process) and huge records then arrive whole.
#pragma once

#include <cstdint>
#include <string>

#include "pg/replication_stream.h"
#include "stream/source_format.h"

namespace pgtrail {

/// Starts streaming slot from lsn in this format. A refused option value is a FatalError (retrying
/// cannot help); other refusals are explained (stream/server_setup.h).
asio::awaitable<void> start_source_stream(ReplicationStream &source, const std::string &slot, std::uint64_t lsn, const SourceFormat &format);

}  // namespace pgtrail
