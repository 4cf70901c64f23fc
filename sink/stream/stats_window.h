// The period of a streaming session's "wrote N changes" log line (--stats-interval).
#pragma once

#include <chrono>

namespace pgtrail {

class StatsWindow {
public:
    /// The whole seconds since the last line when one is due (or forced), starting a new window; -1 when not due.
    long long due(bool force, int interval_s) {
        auto now = std::chrono::steady_clock::now();
        if (!force && now - start_ < std::chrono::seconds(interval_s)) return -1;
        long long seconds = std::chrono::duration_cast<std::chrono::seconds>(now - start_).count();
        start_ = now;
        return seconds;
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace pgtrail
