// The destination's connection path.
#include "stream/destination_session.h"

#include "stream/destination_rules.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

// libpq settings for a writer unless the destination's connection string sets them: a
// destination gone silent is noticed in about a minute.
const std::pair<const char *, const char *> kTcpDefaults[] = {
    {"keepalives_idle", "30"}, {"keepalives_interval", "10"}, {"keepalives_count", "3"}, {"tcp_user_timeout", "60000"}};

bool contains(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }

std::string encoding_of(PGconn *conn) {
    const char *encoding = PQparameterStatus(conn, "server_encoding");
    return encoding ? encoding : "";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> destination_connect_params(const ConnParams &destination,
                                                                            const std::string &application_name) {
    std::vector<std::pair<std::string, std::string>> params{{"application_name", application_name}};
    for (const auto &[key, value] : kTcpDefaults)
        if (!destination.has(key)) params.emplace_back(key, value);
    return params;
}

bool connect_failure_is_final(const PgError &error) {
    std::string message = error.what();
    return contains(message, "password authentication failed") || contains(message, "no password supplied") ||
           contains(message, "pg_hba.conf") ||
           (contains(message, "does not exist") && (contains(message, "database") || contains(message, "role")));
}

std::string destination_connect_failure(const ConnParams &destination, const PgError &error) {
    std::string where = destination.describe().empty() ? "" : " (" + destination.describe() + ")";
    std::string message = error.what();
    bool login = contains(message, "password") || contains(message, "pg_hba.conf");
    return std::string(login ? "cannot log in to the destination" : "cannot connect to the destination") + where + ": " + message;
}

void check_destination_encoding(PGconn *source, PGconn *destination) {
    std::string refusal = encoding_refusal(encoding_of(source), encoding_of(destination));
    if (!refusal.empty()) throw FatalError(refusal);
}

std::string same_cluster_query(int source_backend_pid) {
    return "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = " + std::to_string(source_backend_pid) + ")";
}

}  // namespace pgtrail
