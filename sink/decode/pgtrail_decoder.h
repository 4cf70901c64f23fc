// The decoder of the pgtrail output plugin's JSON records (docs/FORMAT.md). Pure C++.
#pragma once

#include <optional>

#include "decode/events.h"
#include "decode/record_assembler.h"
#include "decode/record_parser.h"

namespace pgtrail {

class PgtrailDecoder final : public Decoder {
public:
    void decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;
    /// Parses the record where it lies: a huge one is never copied (one in pieces is joined once).
    void decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;

private:
    void decode_record(std::string_view payload, bool padded, std::uint64_t wal_start, EventHandler &handler);
    /// The record payload completes (pieces joined), or nothing while pieces wait for their last one.
    std::optional<RecordAssembler::Ready> take_piece(std::string_view payload, std::uint64_t wal_start);
    /// Parses payload (in place when padded); throws DecodeError naming the LSN.
    const Record &parse(std::string_view payload, bool padded, std::uint64_t wal_start);
    /// The record's event(s) to handler.
    void dispatch(const Record &r, EventHandler &handler);

    RecordAssembler pieces_;  ///< a record the plugin split (max-message-bytes)
    RecordParser parser_;
    RowChangeEvent change_;  ///< reused, so its vectors keep their capacity
};

}  // namespace pgtrail
