// What `pgtrail check` found: one item per line (ok / warn / FAIL, with the fix), printed as text
// or as one JSON object.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pgtrail {

class CheckReport {
public:
    void ok(std::string name, std::string message) { add("ok", std::move(name), std::move(message), {}); }
    void warn(std::string name, std::string message, std::string fix = {}) {
        add("warn", std::move(name), std::move(message), std::move(fix));
    }
    void fail(std::string name, std::string message, std::string fix = {}) {
        add("FAIL", std::move(name), std::move(message), std::move(fix));
    }
    /// True when the item named name failed.
    bool failed(const std::string &name) const;
    /// True when any item failed.
    bool any_failed() const;
    /// Prints every item and the verdict; format is text or json.
    void print(const std::string &format) const;

private:
    struct Item {
        std::string status;  ///< ok, warn, FAIL
        std::string name;
        std::string message;
        std::string fix;
    };
    void add(std::string status, std::string name, std::string message, std::string fix) {
        items_.push_back({std::move(status), std::move(name), std::move(message), std::move(fix)});
    }
    void print_json() const;
    void print_text() const;

    std::vector<Item> items_;
};

/// 1536 as "1.5 kB".
std::string bytes_text(double bytes);

}  // namespace pgtrail
