// Request targets: path and query parameters.
#include "ui/http_query.h"

namespace pgtrail::ui {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) throw BadRequest("malformed %-escape in the request");
            int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) throw BadRequest("malformed %-escape in the request");
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += c;
        }
    }
    // libpq parameters are C strings: a NUL would silently cut the value.
    if (out.find('\0') != std::string::npos) throw BadRequest("NUL bytes are not allowed in the request");
    return out;
}

}  // namespace

std::optional<std::string> Target::get(std::string_view name) const {
    for (auto it = params.rbegin(); it != params.rend(); ++it)
        if (it->first == name) return it->second;
    return std::nullopt;
}

Target parse_target(std::string_view target) {
    Target out;
    auto question = target.find('?');
    out.path = percent_decode(target.substr(0, question));
    if (question == std::string_view::npos) return out;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto equals = pair.find('=');
        std::string name = percent_decode(pair.substr(0, equals));
        std::string value = equals == std::string_view::npos ? "" : percent_decode(pair.substr(equals + 1));
        if (value.size() > kMaxParamBytes || name.size() > 256)
            throw BadRequest("a query parameter is longer than " + std::to_string(kMaxParamBytes) + " bytes");
        out.params.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

}  // namespace pgtrail::ui
