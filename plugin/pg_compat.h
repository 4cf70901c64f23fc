// Differences between the PostgreSQL majors the plugin builds against (15 to 18), in one
// place: small named helpers, so the rest of the plugin reads the same on every major.
//
//   major  tested how                                                             minor
//   15     on the host (Debian 12): every test, in CI                             15.20
//   16     expected to build from these guards, but neither built nor tested:     none
//          no Debian suite ships PostgreSQL 16 (server or headers)
//   17     in CI (versions.pg17, scripts/test-pg.sh 17), in a Debian trixie       17.12
//          chroot: the postgresql-17-pgtrail package built there (g++ 14) and
//          installed; pg_regress suite, walsender test, the host's sink with the
//          replay oracle, failover across a promotion
//   18     in CI (versions.pg18), the same in a Debian sid chroot (g++ 16);       18.6
//          skipped, never passed, when sid cannot be built
//
// Checked against each major's server headers; what changed and what it means here:
//   17  ReorderBufferChange's tuples are HeapTuple (ReorderBufferTupleBuf before).
//   17  rd_ispkdeferrable appears next to rd_pkindex, but 17.12 and 18.6 still leave a deferrable
//       primary key out of rd_pkindex, as 15 does (tests/regress keys_deferrable): relinfo.cpp
//       looks it up the same way on every major, no guard needed.
//   18  PG_MODULE_MAGIC_EXT carries the module's name and version.
//   18  virtual generated columns: computed on read, never stored, so never in the WAL.
//   16  extension symbols are hidden by default: entry points need PGDLLEXPORT (entry.cpp).
//   16  RelFileNode became RelFileLocator (rnode -> rlocator): the plugin never reads it.
#pragma once

#include "pg_headers.h"

#if PG_VERSION_NUM < 150000
#error "pgtrail needs PostgreSQL 15 or later"
#endif

#ifndef PGTRAIL_VERSION
#define PGTRAIL_VERSION "unknown"
#endif

// The module's magic block (in entry.cpp, with C linkage): name and version from 18 on.
#if PG_VERSION_NUM >= 180000
#define PGTRAIL_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "pgtrail", .version = PGTRAIL_VERSION)
#else
#define PGTRAIL_MODULE_MAGIC PG_MODULE_MAGIC
#endif

namespace pgtrail {

/// The new row of an INSERT or UPDATE, or nullptr.
inline HeapTuple change_new_tuple(ReorderBufferChange *change) {
#if PG_VERSION_NUM >= 170000
    return change->data.tp.newtuple;
#else
    return change->data.tp.newtuple ? &change->data.tp.newtuple->tuple : nullptr;
#endif
}

/// The old row (key or full, by replica identity) of an UPDATE or DELETE, or nullptr.
inline HeapTuple change_old_tuple(ReorderBufferChange *change) {
#if PG_VERSION_NUM >= 170000
    return change->data.tp.oldtuple;
#else
    return change->data.tp.oldtuple ? &change->data.tp.oldtuple->tuple : nullptr;
#endif
}

/// A virtual generated column (18+): no value in the WAL, so left out of row images.
inline bool column_is_virtual(Form_pg_attribute attr) {
#if PG_VERSION_NUM >= 180000
    return attr->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL;
#else
    (void) attr;
    return false;
#endif
}

}  // namespace pgtrail
