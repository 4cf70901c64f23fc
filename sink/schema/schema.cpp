// Table names.
#include "schema/schema.h"

#include <cctype>
#include <stdexcept>

namespace pgtrail {

namespace {

bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string checked_identifier(std::string_view part, std::string_view whole) {
    if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0])))
        throw std::invalid_argument("invalid table name \"" + std::string(whole) + "\": use [schema.]name with letters, digits and _");
    std::string out;
    for (char c : part) {
        if (!is_ident_char(c))
            throw std::invalid_argument("invalid table name \"" + std::string(whole) + "\": use [schema.]name with letters, digits and _");
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

}  // namespace

TableName parse_table_name(std::string_view text) {
    auto dot = text.find('.');
    if (dot == std::string_view::npos) return {"", checked_identifier(text, text)};
    return {checked_identifier(text.substr(0, dot), text), checked_identifier(text.substr(dot + 1), text)};
}

std::string qualified(const TableName &name) {
    return name.schema.empty() ? name.table : name.schema + "." + name.table;
}

std::string quoted(const TableName &name, const SqlQuoting &quote) {
    std::string table = quote.identifier(name.table);
    return name.schema.empty() ? table : quote.identifier(name.schema) + "." + table;
}

}  // namespace pgtrail
