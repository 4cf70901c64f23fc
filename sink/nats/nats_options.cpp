// NATS options.
#include "nats/nats_options.h"

#include <map>

#include <CLI/CLI.hpp>

namespace pgtrail {

namespace {

constexpr const char *kGroup = "NATS JetStream";

CLI::Option *add_urls(CLI::App &command, NatsOptions &nats, const char *what) {
    return command.add_option("--nats", nats.urls, what)->group(kGroup);
}

void add_stream(CLI::App &command, NatsOptions &nats) {
    command.add_option("--nats-stream", nats.stream, "JetStream stream name; its subjects are <stream>.<database>.<schema>.<table>")
        ->capture_default_str()->group(kGroup)
        ->check([](const std::string &name) -> std::string {
            if (name.empty() || name.find_first_of(". *>\t/\\") != std::string::npos) return "a stream name may not hold . * > / \\ or white space";
            return "";
        });
}

void add_consumer(CLI::App &command, NatsOptions &nats) {
    command.add_option("--consumer", nats.consumer,
                       "Durable consumer name, one per destination (and per table group); also the key of its progress row in pgtrail.stream_progress")
        ->capture_default_str()->group(kGroup)
        ->check([](const std::string &name) -> std::string {
            if (name.empty() || name.find_first_of(". *>\t/\\") != std::string::npos) return "a consumer name may not hold . * > / \\ or white space";
            return "";
        });
    command.add_option("--subject", nats.subject,
                       "Only these changes: a NATS subject filter, e.g. pgtrail.shop.public.orders or pgtrail.shop.billing.> (default: the whole stream)")
        ->group(kGroup);
}

}  // namespace

void add_nats_reader_options(CLI::App &command, NatsOptions &nats) {
    add_urls(command, nats, "Publish into NATS JetStream instead of writing a changes table: server URLs, comma separated (pgtrail write consumes them)");
    add_stream(command, nats);
    command.add_option("--nats-replicas", nats.replicas, "Replicas of the stream when pgtrail creates it (file storage)")
        ->capture_default_str()->check(CLI::Range(1, 5))->group(kGroup);
    command.add_option("--nats-max-bytes", nats.max_bytes,
                       "Size limit of the stream (e.g. 20GB; 0: none, the servers' JetStream storage bounds it). A full stream refuses new "
                       "messages (discard new): the reader waits and the slot keeps the changes. Set on the stream when given "
                       "(a stream's limit is kept when not)")
        ->capture_default_str()->transform(CLI::AsSizeValue(false))->check(CLI::NonNegativeNumber)->group(kGroup)
        ->each([&nats](const std::string &) { nats.max_bytes_given = true; });
    command.add_option("--nats-max-age", nats.max_age_s,
                       "Age limit of the stream's messages (e.g. 7d, 12h; 0: none). Older messages are removed whether or not every "
                       "writer has written them: longer than any writer may be stopped. Set on the stream when given (a stream's "
                       "limit is kept when not)")
        ->capture_default_str()
        ->transform(CLI::AsNumberWithUnit(std::map<std::string, std::int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
                                          CLI::AsNumberWithUnit::CASE_SENSITIVE))
        ->check(CLI::NonNegativeNumber)->group(kGroup)
        ->each([&nats](const std::string &) { nats.max_age_given = true; });
}

void add_nats_writer_options(CLI::App &command, NatsOptions &nats) {
    add_urls(command, nats, "NATS server URLs, comma separated")->required();
    add_stream(command, nats);
    add_consumer(command, nats);
    command.add_option("--fetch-batch", nats.fetch_batch, "Messages asked for per pull")->capture_default_str()->check(CLI::Range(1, 100000))->group(kGroup);
}

void add_nats_check_options(CLI::App &command, NatsOptions &nats) {
    add_urls(command, nats, "Also check NATS JetStream: server URLs, comma separated");
    add_stream(command, nats);
    add_consumer(command, nats);
}

}  // namespace pgtrail
