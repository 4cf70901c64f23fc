// DDL for the changes table.
#include "schema/schema.h"

#include <cctype>
#include <stdexcept>

#include "schema_sql.h"

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

/// Removes "--" comments, so words in them are never rewritten.
std::string strip_comments(std::string_view sql) {
    std::string out;
    bool in_comment = false;
    for (std::size_t i = 0; i < sql.size(); i++) {
        if (!in_comment && sql[i] == '-' && i + 1 < sql.size() && sql[i + 1] == '-') in_comment = true;
        if (sql[i] == '\n') in_comment = false;
        if (!in_comment) out.push_back(sql[i]);
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

std::string changes_table_ddl(const TableName &name) {
    std::string sql = strip_comments(kChangesSql);
    constexpr std::string_view word = "changes";
    std::string out;
    for (std::size_t i = 0; i < sql.size();) {
        bool starts_word = sql.compare(i, word.size(), word) == 0 && (i == 0 || !is_ident_char(sql[i - 1]));
        if (!starts_word) {
            out.push_back(sql[i++]);
            continue;
        }
        std::size_t after = i + word.size();
        bool is_table = after >= sql.size() || !is_ident_char(sql[after]);
        // "changes" itself is the table; "changes_..." are index and constraint names.
        out.append(is_table ? qualified(name) : name.table);
        i = after;
    }
    return out;
}

}  // namespace pgtrail
