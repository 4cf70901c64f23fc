// JSON strings through the plugin's escaping (plugin/json_escape.h).
#include "ui/json_text.h"

#include "json_escape.h"

namespace pgtrail::ui {

std::string json_string(std::string_view text) {
    std::string out = "\"";
    const char *s = text.data();
    std::size_t n = text.size();
    while (n > 0) {
        std::size_t valid = utf8_valid_prefix(s, n);
        std::size_t i = 0;
        while (i < valid) {
            std::size_t clean = json_clean_run(s + i, valid - i);
            out.append(s + i, clean);
            i += clean;
            if (i < valid) {
                char escaped[6];
                out.append(escaped, json_escape_byte(static_cast<unsigned char>(s[i]), escaped));
                i++;
            }
        }
        s += valid, n -= valid;
        if (n == 0) break;
        std::size_t bad = utf8_invalid_run(s, n);
        out += "\xEF\xBF\xBD";
        s += bad, n -= bad;
    }
    return out + "\"";
}

std::string json_error(std::string_view message) {
    return "{\"error\":" + json_string(message) + "}";
}

}  // namespace pgtrail::ui
