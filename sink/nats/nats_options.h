// The command-line options of the NATS JetStream path: run's --nats group (the reader) and
// write's (a writer). Values land in RunConfig::nats.
#pragma once

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

/// run: --nats, --nats-stream, --nats-replicas.
void add_nats_reader_options(CLI::App &command, NatsOptions &nats);
/// write: --nats (required), --nats-stream, --consumer, --subject, --fetch-batch.
void add_nats_writer_options(CLI::App &command, NatsOptions &nats);
/// check: --nats, --nats-stream, --consumer, --subject (the NATS checks run when --nats is given).
void add_nats_check_options(CLI::App &command, NatsOptions &nats);

}  // namespace pgtrail
