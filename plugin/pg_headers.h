// The PostgreSQL server headers the plugin uses, in one place, with C linkage.
// Standard headers first: after postgres.h, <cstdio> would undo PostgreSQL's printf macros.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
#include "postgres.h"

// c.h's versions use __builtin_types_compatible_p, which g++ lacks; this is c.h's own fallback.
#undef AssertVariableIsOfType
#define AssertVariableIsOfType(varname, typename)                                              \
    StaticAssertStmt(sizeof(varname) == sizeof(typename),                                      \
                     CppAsString(varname) " does not have type " CppAsString(typename))
#undef AssertVariableIsOfTypeMacro
#define AssertVariableIsOfTypeMacro(varname, typename)                                         \
    (StaticAssertExpr(sizeof(varname) == sizeof(typename),                                     \
                      CppAsString(varname) " does not have type " CppAsString(typename)))

#include "access/detoast.h"            // detoasting text values we copy directly
#include "access/htup_details.h"       // heap_deform_tuple
#include "access/tupconvert.h"         // partition tuple -> root tuple
#include "catalog/namespace.h"
#include "catalog/partition.h"         // get_partition_ancestors
#include "catalog/pg_publication.h"    // publication membership and actions
#include "catalog/pg_type.h"
#include "commands/defrem.h"           // defGetString
#include "common/hmac.h"               // redacted values' keyed hash
#include "common/jsonapi.h"            // IsValidJsonNumber
#include "common/sha2.h"               // PG_SHA256_DIGEST_LENGTH
#include "fmgr.h"
#include "nodes/makefuncs.h"           // makeFuncExpr for to_jsonb's argument type
#include "parser/parse_coerce.h"       // find_coercion_pathway (types with a cast to json)
#include "replication/logical.h"
#include "replication/origin.h"        // replorigin_by_oid
#include "replication/output_plugin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"               // datumIsEqual (ignore-columns)
#include "utils/date.h"
#include "utils/datetime.h"              // MAXDATELEN
#include "utils/fmgroids.h"
#include "utils/inval.h"               // relcache/syscache invalidation callbacks
#include "utils/json.h"                // JsonEncodeDateTime
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"              // kept across our own catalog transaction
#include "access/xact.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"                // pg_uuid_t, formatted directly
}
