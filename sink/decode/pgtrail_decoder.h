// The decoder of the pgtrail output plugin's JSON records (docs/FORMAT.md). Pure C++.
#pragma once

#include "decode/events.h"
#include "decode/record_parser.h"

namespace pgtrail {

class PgtrailDecoder final : public Decoder {
public:
    void decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;
    /// Parses the record where it lies: a huge one is never copied.
    void decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;

private:
    /// Parses payload (in place when padded); throws DecodeError naming the LSN.
    const Record &parse(std::string_view payload, bool padded, std::uint64_t wal_start);
    /// The record's event(s) to handler.
    void dispatch(const Record &r, EventHandler &handler);

    RecordParser parser_;
    RowChangeEvent change_;  ///< reused, so its vectors keep their capacity
};

}  // namespace pgtrail
