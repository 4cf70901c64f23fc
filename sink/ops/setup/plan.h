// What setup and teardown plan: statements for the source or the destination, each planned only
// when the database lacks what it makes, then printed (--dry-run) or run in order.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "pg/blocking_pg.h"

namespace pgtrail {

/// A one-sentence failure of setup or teardown (the command prints it and exits 1).
struct SetupFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A planned statement.
struct Step {
    bool on_source;
    std::string what;     ///< one line for the operator
    std::string sql;      ///< what runs
    std::string display;  ///< what --dry-run prints (sql when empty: hides passwords)
    bool transaction = false;
};

class Plan {
public:
    void add(bool on_source, std::string what, std::string sql, std::string display = {}, bool transaction = false) {
        steps_.push_back({on_source, std::move(what), std::move(sql), std::move(display), transaction});
    }
    const std::vector<Step> &steps() const { return steps_; }
    /// True when a step's description starts with prefix.
    bool has_step(std::string_view prefix) const;

private:
    std::vector<Step> steps_;
};

/// The source and the destination (the source's connection when they are the same database).
class SetupConnections {
public:
    /// Connects; throws SetupFailure naming the database that cannot be reached.
    explicit SetupConnections(const RunConfig &config);
    BlockingPg &source() { return *source_; }
    BlockingPg &destination() { return dest_ ? *dest_ : *source_; }
    BlockingPg &of(const Step &step) { return step.on_source ? source() : destination(); }

private:
    std::unique_ptr<BlockingPg> source_;
    std::unique_ptr<BlockingPg> dest_;
};

/// Prints the plan grouped by database (dry_run) or runs it step by step; throws SetupFailure
/// naming the step that failed.
void carry_out(const Plan &plan, SetupConnections &db, bool dry_run);

}  // namespace pgtrail
