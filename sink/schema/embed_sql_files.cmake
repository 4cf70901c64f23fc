# Turns sql/*.sql files into one C++ header of raw string literals, with a stable hash
# hash of each (so installed copies can be compared with the binary's).
#   -DOUTPUT=header -DFILES="kName=path|kOther=path"
string(REPLACE "|" ";" FILES "${FILES}")
set(OUT "// Generated from sql/*.sql by sink/embed_sql_files.cmake: do not edit.\n#pragma once\nnamespace pgtrail::sql_files {\n")
foreach(entry ${FILES})
  string(REPLACE "=" ";" parts ${entry})
  list(GET parts 0 NAME)
  list(GET parts 1 PATH)
  file(READ ${PATH} TEXT)
  file(SHA256 ${PATH} HASH)
  string(SUBSTRING ${HASH} 0 16 HASH)
  string(APPEND OUT "inline constexpr const char *${NAME} = R\"pgtrail_sql(${TEXT})pgtrail_sql\";\n")
  string(APPEND OUT "inline constexpr const char *${NAME}Hash = \"${HASH}\";\n")
endforeach()
string(APPEND OUT "}  // namespace pgtrail::sql_files\n")
file(WRITE ${OUTPUT} "${OUT}")
