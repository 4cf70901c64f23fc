// Snapshot progress lines.
#include "history/snapshot_progress.h"

#include <cstdio>

#include "log.h"

namespace pgtrail {

namespace {

constexpr std::chrono::milliseconds kRedraw{250};

}  // namespace

std::string format_duration(double seconds) {
    if (seconds < 0 || seconds > 1e8) return "?";
    long s = static_cast<long>(seconds + 0.5);
    char out[32];
    if (s >= 3600) std::snprintf(out, sizeof out, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(out, sizeof out, "%ld:%02ld", s / 60, s % 60);
    return out;
}

std::string format_count(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); i++) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

SnapshotProgress::SnapshotProgress(std::int64_t total_estimate, std::size_t tables, bool tty)
    : total_estimate_(total_estimate), tables_(tables), tty_(tty) {}

double SnapshotProgress::seconds() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
}

void SnapshotProgress::start_table(const std::string &name, std::int64_t estimate) {
    table_index_++;
    table_ = name;
    table_estimate_ = estimate;
    table_rows_ = 0;
    table_started_ = Clock::now();
    if (tty_) draw();
}

void SnapshotProgress::maybe_draw() {
    if (!tty_) return;
    auto now = Clock::now();
    if (now - last_draw_ < kRedraw) return;
    last_draw_ = now;
    draw();
}

// [2/5] public.orders  1,234,567 / ~2,000,000 rows (61%)  85,000 rows/s  ETA 0:09  (all: 3,000,000 / ~5,000,000)
void SnapshotProgress::draw() {
    double elapsed = std::chrono::duration<double>(Clock::now() - table_started_).count();
    double rate = elapsed > 0.2 ? table_rows_ / elapsed : 0;
    std::string line = "[" + std::to_string(table_index_) + "/" + std::to_string(tables_) + "] " + table_ + "  " +
                       format_count(table_rows_);
    std::int64_t estimate = table_estimate_ > table_rows_ ? table_estimate_ : -1;
    if (estimate > 0) line += " / ~" + format_count(estimate) + " rows (" + std::to_string(table_rows_ * 100 / estimate) + "%)";
    else line += " rows";
    if (rate > 0) {
        line += "  " + format_count(static_cast<std::int64_t>(rate)) + " rows/s";
        if (estimate > 0) line += "  ETA " + format_duration((estimate - table_rows_) / rate);
    }
    std::int64_t all = rows();
    if (tables_ > 1 && total_estimate_ > 0)
        line += "  (all: " + format_count(all) + " / ~" + format_count(total_estimate_ > all ? total_estimate_ : all) + ")";
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
}

void SnapshotProgress::finish_table() {
    double elapsed = std::chrono::duration<double>(Clock::now() - table_started_).count();
    if (tty_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.1f s", elapsed);
    log::info("snapshot [" + std::to_string(table_index_) + "/" + std::to_string(tables_) + "] " + table_ + ": " +
              format_count(table_rows_) + " rows in " + rate +
              (elapsed > 0.05 ? " (" + format_count(static_cast<std::int64_t>(table_rows_ / elapsed)) + " rows/s)" : ""));
    done_rows_ += table_rows_;
    table_rows_ = 0;
}

}  // namespace pgtrail
