// One field of the CSV export. Pure C++.
#pragma once

#include <string>

namespace pgtrail::ui {

/// The field as CSV: a value a spreadsheet would run as a formula (starting with =, +, -, @, tab
/// or CR: OWASP's CSV injection) gets a leading apostrophe; quoted when it holds a comma, quote,
/// CR or LF (quotes doubled).
std::string csv_field(const std::string &value);

}  // namespace pgtrail::ui
