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

namespace {

// Equal tokens render equal keys: the common UPDATE is settled without rendering anything.
bool same_key_values(const std::vector<KeyValue> &a, const std::vector<KeyValue> &b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); i++)
        if (a[i].is_null != b[i].is_null || a[i].raw != b[i].raw) return false;
    return true;
}

}  // namespace

std::optional<std::string> render_moved_from(const RowChangeEvent &change) {
    if (change.op != 'U' || change.before_key.empty() || change.after_key.empty()) return std::nullopt;
    if (same_key_values(change.before_key, change.after_key)) return std::nullopt;
    auto old_key = render_primary_key(change.before_key);
    if (!old_key || old_key == render_primary_key(change.after_key)) return std::nullopt;
    return old_key;
}

}  // namespace pgtrail
