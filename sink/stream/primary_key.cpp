// Primary-key rendering, Bemi style.
#include "stream/primary_key.h"

namespace pgtrail {

std::optional<std::string> render_primary_key(const std::vector<KeyValue> &values) {
    if (values.empty()) return std::nullopt;
    if (values.size() == 1) {
        if (values[0].is_null) return std::nullopt;
        return std::string(values[0].text);
    }
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); i++) {
        if (i > 0) out.push_back(',');
        out.append(values[i].raw);
    }
    out.push_back(']');
    return out;
}

const std::vector<KeyValue> &key_values_of(const RowChangeEvent &change) {
    return change.after_key.empty() ? change.before_key : change.after_key;
}

std::optional<std::string> render_moved_from(const RowChangeEvent &change) {
    if (change.op != 'U' || change.before_key.empty() || change.after_key.empty()) return std::nullopt;
    auto old_key = render_primary_key(change.before_key);
    if (!old_key || old_key == render_primary_key(change.after_key)) return std::nullopt;
    return old_key;
}

}  // namespace pgtrail
