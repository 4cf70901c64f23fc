// The decoder of the pgtrail output plugin's JSON records (docs/FORMAT.md). Pure C++.
#pragma once

#include "decode/events.h"
#include "decode/record_parser.h"

namespace pgtrail {

class PgtrailDecoder final : public Decoder {
public:
    void decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;

private:
    RecordParser parser_;
    RowChangeEvent change_;  ///< reused, so its vectors keep their capacity
};

}  // namespace pgtrail
