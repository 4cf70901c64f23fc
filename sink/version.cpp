// Version text.
#include "version.h"

#include <boost/version.hpp>
#include <CLI/Version.hpp>
#include <libpq-fe.h>
#include <simdjson.h>

#ifndef PGTRAIL_VERSION
#define PGTRAIL_VERSION "unknown"
#endif
#ifndef PGTRAIL_PG_VERSION
#define PGTRAIL_PG_VERSION "unknown"
#endif

#define PGTRAIL_STRINGIFY2(x) #x
#define PGTRAIL_STRINGIFY(x) PGTRAIL_STRINGIFY2(x)

namespace pgtrail {

std::string version_text() {
    int libpq = PQlibVersion();
    const char *ssl = PQsslAttribute(nullptr, "library");
    return std::string("pgtrail ") + PGTRAIL_VERSION + "\n" +
           "libpq " + std::to_string(libpq / 10000) + "." + std::to_string(libpq % 100) + (ssl ? std::string(" (TLS: ") + ssl + ")" : " (no TLS)") + "\n" +
           "Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
           std::to_string(BOOST_VERSION % 100) + " (Asio, Beast)\n" +
           "simdjson " + PGTRAIL_STRINGIFY(SIMDJSON_VERSION) + "\n" +
           "CLI11 " + CLI11_VERSION + "\n" +
           "built for " + PGTRAIL_PG_VERSION;
}

}  // namespace pgtrail
