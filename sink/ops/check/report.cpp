// Printing check's items.
#include "ops/check/report.h"

#include <cstdio>
#include <iostream>

#include "pg/copy_text.h"

namespace pgtrail {

bool CheckReport::failed(const std::string &name) const {
    for (const auto &item : items_)
        if (item.name == name && item.status == "FAIL") return true;
    return false;
}

bool CheckReport::any_failed() const {
    for (const auto &item : items_)
        if (item.status == "FAIL") return true;
    return false;
}

void CheckReport::print(const std::string &format) const {
    if (format == "json")
        print_json();
    else
        print_text();
}

void CheckReport::print_json() const {
    std::string out = "{\"ok\":" + std::string(any_failed() ? "false" : "true") + ",\"items\":[";
    for (std::size_t i = 0; i < items_.size(); i++) {
        const auto &item = items_[i];
        out += i ? ",{" : "{";
        out += "\"item\":";
        append_json_string(out, item.name);
        out += ",\"status\":";
        append_json_string(out, item.status == "FAIL" ? "fail" : item.status);
        out += ",\"message\":";
        append_json_string(out, item.message);
        if (!item.fix.empty()) {
            out += ",\"fix\":";
            append_json_string(out, item.fix);
        }
        out += "}";
    }
    std::cout << out << "]}\n";
}

void CheckReport::print_text() const {
    for (const auto &item : items_) {
        char head[64];
        std::snprintf(head, sizeof head, "%-4s  %-24s ", item.status.c_str(), item.name.c_str());
        std::cout << head << item.message;
        if (!item.fix.empty()) std::cout << "  -- fix: " << item.fix;
        std::cout << "\n";
    }
    std::cout << (any_failed() ? "pgtrail check: FAILED (fix the FAIL lines above)" : "pgtrail check: ok") << "\n";
}

std::string bytes_text(double bytes) {
    const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

}  // namespace pgtrail
