// Metrics: Prometheus text, histogram buckets, health verdicts, commit time parsing.
#include <doctest/doctest.h>

#include <string>

#include "ops/metrics.h"

using pgtrail::Metrics;
using pgtrail::parse_commit_time;

namespace {

bool has_line(const std::string &text, const std::string &line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("commit times in the plugin's format parse to Unix seconds") {
    CHECK(parse_commit_time("1970-01-01T00:00:00+00:00") == doctest::Approx(0));
    CHECK(parse_commit_time("2026-11-21T09:26:00.5+00:00") == doctest::Approx(1795253160.5));
    CHECK(parse_commit_time("2026-11-21 11:26:00.5+02") == doctest::Approx(1795253160.5));
    CHECK(parse_commit_time("2026-11-21T04:56:00.5-04:30") == doctest::Approx(1795253160.5));
    CHECK(parse_commit_time("garbage") == 0);
    CHECK(parse_commit_time("") == 0);
}

TEST_CASE("changes count by operation only once their batch commits") {
    Metrics m;
    m.on_connected();
    m.on_change('I');
    m.on_change('I');
    m.on_change('U');
    m.on_change('T');
    CHECK(has_line(m.render(), "pgtrail_changes_written_total{operation=\"CREATE\"} 0"));
    m.on_batch(0.02, 100, "2026-11-21T09:26:00+00:00");
    std::string text = m.render();
    CHECK(has_line(text, "pgtrail_changes_written_total{operation=\"CREATE\"} 2"));
    CHECK(has_line(text, "pgtrail_changes_written_total{operation=\"UPDATE\"} 1"));
    CHECK(has_line(text, "pgtrail_changes_written_total{operation=\"DELETE\"} 0"));
    CHECK(has_line(text, "pgtrail_changes_written_total{operation=\"TRUNCATE\"} 1"));
    CHECK(has_line(text, "pgtrail_confirmed_lsn 100"));
    CHECK(has_line(text, "pgtrail_batches_total 1"));
    // A failed session's open batch is never counted.
    m.on_change('D');
    m.on_session_error();
    m.on_connected();
    m.on_batch(0.5, 200, "");
    text = m.render();
    CHECK(has_line(text, "pgtrail_changes_written_total{operation=\"DELETE\"} 0"));
    CHECK(has_line(text, "pgtrail_reconnects_total 1"));
}

TEST_CASE("the batch histogram is cumulative") {
    Metrics m;
    m.on_batch(0.003, 1, "");
    m.on_batch(0.2, 2, "");
    m.on_batch(30, 3, "");
    std::string text = m.render();
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_bucket{le=\"0.005\"} 1"));
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_bucket{le=\"0.1\"} 1"));
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_bucket{le=\"0.25\"} 2"));
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_bucket{le=\"10\"} 2"));
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_bucket{le=\"+Inf\"} 3"));
    CHECK(has_line(text, "pgtrail_batch_duration_seconds_count 3"));
    CHECK(text.find("# TYPE pgtrail_batch_duration_seconds histogram\n") != std::string::npos);
}

TEST_CASE("health: connected, not stalled, slot not lost") {
    Metrics m;
    CHECK(m.unhealthy_reason() == "not connected");
    m.on_connected();
    CHECK(m.unhealthy_reason().empty());
    m.stall_timeout_s = 5;
    m.slot_known = true;
    m.lag_bytes = 1000;
    m.last_progress = Metrics::Clock::now() - std::chrono::seconds(60);
    m.receive_moved = m.last_progress;
    CHECK(m.unhealthy_reason().rfind("stalled: 1000 bytes", 0) == 0);
    m.on_receive_begin(500);  // a large transaction still arriving
    m.on_received(100);
    m.note_receiving();
    CHECK(m.unhealthy_reason().empty());
    m.wal_status = "lost";
    CHECK(m.unhealthy_reason() == "the slot is lost (wal_status lost)");
    CHECK(has_line(m.render(), "pgtrail_up 0"));
    CHECK(has_line(m.render(), "pgtrail_slot_wal_status{status=\"lost\"} 1"));
}

TEST_CASE("health: a sink that keeps reconnecting without committing becomes stalled") {
    Metrics m;
    m.stall_timeout_s = 5;
    m.slot_known = true;
    m.lag_bytes = 1000;
    m.on_connected();
    m.on_caught_up(800);
    m.on_receive_begin(900);  // the transaction the destination rejects, read the first time
    m.on_received(800);
    m.on_received(850);
    m.note_receiving();
    m.last_progress = m.receive_moved = Metrics::Clock::now() - std::chrono::seconds(60);
    for (int i = 0; i < 3; i++) {  // each session connects and reads the same transaction again
        m.on_session_error();
        m.on_connected();
        m.on_caught_up(800);  // the keepalive each new session gets before the data
        m.on_receive_begin(900);
        m.on_received(800);
        m.on_received(850);
        m.note_receiving();
        CHECK(m.unhealthy_reason().rfind("stalled: 1000 bytes", 0) == 0);
    }
    CHECK(m.unhealthy_reason().find("(3 reconnects so far)") != std::string::npos);
    m.on_session_error();  // between sessions: still stalled, not merely "not connected"
    CHECK(m.unhealthy_reason().rfind("stalled: ", 0) == 0);
    m.on_connected();
    m.on_receive_begin(900);
    m.on_received(860);  // further than any session before: progress
    m.note_receiving();
    CHECK(m.unhealthy_reason().empty());
    m.on_receive_begin(950);  // the next transaction is further too
    m.on_received(700);
    CHECK(m.received_max == std::make_pair(std::uint64_t{950}, std::uint64_t{700}));
}
