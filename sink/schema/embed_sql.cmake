# Turns a .sql file into a C++ header holding it as a raw string literal.
file(READ ${INPUT} SQL_TEXT)
file(WRITE ${OUTPUT} "// Generated from sql/changes.sql: do not edit.\n#pragma once\nnamespace pgtrail {\ninline constexpr const char *kChangesSql = R\"pgtrail_sql(${SQL_TEXT})pgtrail_sql\";\n}\n")
