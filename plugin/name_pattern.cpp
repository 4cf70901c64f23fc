#include "name_pattern.h"

#include <stdexcept>

namespace pgtrail {

namespace {

// One identifier as written in an option: parts split at unquoted dots.
struct ParsedItem {
    std::vector<std::string> parts;
};

char fold_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Splits list at unquoted commas; each item split at unquoted dots. Quoted text is
// kept literally (with * and \ escaped), unquoted text is folded and trimmed.
std::vector<ParsedItem> split_items(std::string_view list, ListSyntax syntax) {
    std::vector<ParsedItem> items(1);
    std::string part;
    bool part_started = false;
    bool in_quotes = false;
    auto finish_part = [&](const char *where) {
        if (!part_started)
            throw std::invalid_argument(std::string("empty name ") + where + " in \"" +
                                        std::string(list) + "\"");
        items.back().parts.push_back(part);
        part.clear();
        part_started = false;
    };
    for (std::size_t i = 0; i < list.size(); ++i) {
        char c = list[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < list.size() && list[i + 1] == '"') {
                part += '"';
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                if (syntax.wildcards && (c == '*' || c == '\\')) part += '\\';
                part += c;
            }
        } else if (c == '"') {
            in_quotes = true;
            part_started = true;
        } else if (c == ',') {
            finish_part("before a comma");
            items.emplace_back();
        } else if (c == '.') {
            finish_part("before a dot");
        } else if (is_space(c)) {
            continue;  // spaces outside quotes separate nothing
        } else {
            if (c == '*' && !syntax.wildcards)
                throw std::invalid_argument("wildcards are not allowed in \"" + std::string(list) + "\"");
            if (c == '\\' && syntax.wildcards) part += '\\';
            part += syntax.fold_case ? fold_ascii(c) : c;
            part_started = true;
        }
    }
    if (in_quotes)
        throw std::invalid_argument("unterminated quoted name in \"" + std::string(list) + "\"");
    finish_part("at the end");
    return items;
}

}  // namespace

std::vector<std::string> parse_name_list(std::string_view list, ListSyntax syntax) {
    std::vector<std::string> names;
    for (auto &item : split_items(list, syntax)) {
        // Plain names have no schema part: a dot is just part of the name.
        std::string name = item.parts[0];
        for (std::size_t i = 1; i < item.parts.size(); ++i)
            name += "." + item.parts[i];
        names.push_back(std::move(name));
    }
    return names;
}

std::vector<std::vector<std::string>> split_dotted_items(std::string_view list) {
    std::vector<std::vector<std::string>> items;
    for (auto &item : split_items(list, ListSyntax{true, true})) items.push_back(std::move(item.parts));
    return items;
}

std::vector<TablePattern> parse_table_patterns(std::string_view list) {
    std::vector<TablePattern> patterns;
    for (auto &item : split_items(list, ListSyntax{true, true})) {
        if (item.parts.size() == 1)
            patterns.push_back({"*", std::move(item.parts[0])});
        else if (item.parts.size() == 2)
            patterns.push_back({std::move(item.parts[0]), std::move(item.parts[1])});
        else
            throw std::invalid_argument("a table pattern is schema.table, with quotes around names "
                                        "that contain dots, in \"" + std::string(list) + "\"");
    }
    return patterns;
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Iterative match with backtracking to the last star: linear in practice, no recursion.
    std::size_t p = 0, t = 0;
    std::size_t star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star_p = p++;
            star_t = t;
            continue;
        }
        if (p < pattern.size()) {
            bool escaped = pattern[p] == '\\' && p + 1 < pattern.size();
            char want = escaped ? pattern[p + 1] : pattern[p];
            if (want == text[t]) {
                p += escaped ? 2 : 1;
                ++t;
                continue;
            }
        }
        if (star_p == std::string_view::npos) return false;
        p = star_p + 1;
        t = ++star_t;
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool any_table_matches(const std::vector<TablePattern> &patterns, std::string_view schema,
                       std::string_view table) noexcept {
    for (const auto &pattern : patterns)
        if (glob_match(pattern.schema, schema) && glob_match(pattern.table, table)) return true;
    return false;
}

bool any_name_matches(const std::vector<std::string> &globs, std::string_view name) noexcept {
    for (const auto &glob : globs)
        if (glob_match(glob, name)) return true;
    return false;
}

}  // namespace pgtrail
