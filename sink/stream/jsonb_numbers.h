// Numbers that jsonb cannot hold, found before a batch is written. A json value may hold any
// number; jsonb stores numbers as numeric, whose input refuses (value overflows numeric
// format) more than 131072 digits before the decimal point or 16383 after it, e.g.
// 1e140000 or 1e-20000. Finding them up front saves a refused batch and its change-by-change
// replay; anything this misses is still caught by that replay (stream/poison_writer.h). Pure C++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgtrail {

/// True when jsonb's numeric can hold this JSON number token exactly as numeric_in reads it.
bool jsonb_can_hold_number(std::string_view token);

/// A cheap test over JSON text, run on every image: false when it certainly holds no number
/// jsonb refuses (no exponent of 5 or more digits after a digit and ending a number token, and
/// no run of 6000 or more digits).
bool may_hold_unholdable_number(std::string_view json);

/// The top-level members of a row image whose value holds a number jsonb cannot hold, in order.
/// Empty when the image does not parse (the replay deals with it then).
std::vector<std::string> columns_with_unholdable_numbers(std::string_view image);

}  // namespace pgtrail
