// Subject tokens.
#include "nats/subjects.h"

namespace pgtrail {

namespace {

bool plain(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

std::string subject_token(std::string_view name) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    if (name.empty()) return "%";  // an empty token is not a valid subject
    std::string token;
    token.reserve(name.size());
    for (unsigned char c : name) {
        if (plain(c)) {
            token.push_back(static_cast<char>(c));
            continue;
        }
        token.push_back('%');
        token.push_back(kHex[c >> 4]);
        token.push_back(kHex[c & 15]);
    }
    return token;
}

std::string change_subject(std::string_view stream, std::string_view database, std::string_view schema, std::string_view table) {
    return std::string(stream) + "." + subject_token(database) + "." + subject_token(schema) + "." + subject_token(table);
}

std::string stream_subjects(std::string_view stream) { return std::string(stream) + ".>"; }

}  // namespace pgtrail
