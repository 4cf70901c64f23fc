// CSV fields for the export.
#include "ui/csv_field.h"

namespace pgtrail::ui {

namespace {

/// Spreadsheets run a cell starting with one of these as a formula (or, tab and CR, after trimming it).
bool formula_start(const std::string &value) {
    return !value.empty() && std::string("=+-@\t\r").find(value.front()) != std::string::npos;
}

}  // namespace

std::string csv_field(const std::string &value) {
    std::string text = formula_start(value) ? "'" + value : value;
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace pgtrail::ui
