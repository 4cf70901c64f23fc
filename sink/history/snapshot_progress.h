// Progress of the initial snapshot: a redrawn line on a terminal (rows done / estimated total,
// rate, ETA), one log line per table otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pgtrail {

class SnapshotProgress {
public:
    /// total_estimate: the sum of the tables' reltuples (0 when unknown); tty: stderr is a terminal.
    SnapshotProgress(std::int64_t total_estimate, std::size_t tables, bool tty);

    /// A table starts; estimate is its reltuples (negative when never analyzed).
    void start_table(const std::string &name, std::int64_t estimate);
    /// One row more; redraws the terminal line at most a few times a second.
    void row() {
        ++table_rows_;
        if ((table_rows_ & 1023) == 0) maybe_draw();
    }
    /// The table is done: its final line.
    void finish_table();
    /// The whole snapshot: rows and seconds.
    std::int64_t rows() const { return done_rows_ + table_rows_; }
    double seconds() const;

private:
    using Clock = std::chrono::steady_clock;
    void maybe_draw();
    void draw();

    std::int64_t total_estimate_;
    std::size_t tables_;
    bool tty_;
    std::size_t table_index_ = 0;
    std::string table_;
    std::int64_t table_estimate_ = -1;
    std::int64_t table_rows_ = 0;
    std::int64_t done_rows_ = 0;
    Clock::time_point started_ = Clock::now();
    Clock::time_point table_started_ = started_;
    Clock::time_point last_draw_ = started_;
};

/// "1:02:03" / "4:05" for a number of seconds.
std::string format_duration(double seconds);
/// 1234567 as "1,234,567".
std::string format_count(std::int64_t n);

}  // namespace pgtrail
