# Operator tooling (issue 6): check, setup, teardown, metrics, heartbeats, SSH tunnel, install.
# Included from sink/CMakeLists.txt after the pgtrail target is defined.

# sql/*.sql compiled in (setup installs them; run installs the time travel functions).
set(SQL_FILES_HEADER ${CMAKE_CURRENT_BINARY_DIR}/generated/sql_files.h)
set(SQL_FILE_LIST
  kPgtrailBaseSql=${CMAKE_SOURCE_DIR}/sql/pgtrail_base.sql
  kTimeTravelSql=${CMAKE_SOURCE_DIR}/sql/time_travel.sql
  kRevertSql=${CMAKE_SOURCE_DIR}/sql/revert.sql
  kContextSql=${CMAKE_SOURCE_DIR}/sql/context.sql
  kReplicaIdentitySql=${CMAKE_SOURCE_DIR}/sql/replica_identity.sql)
set(SQL_FILE_PATHS ${SQL_FILE_LIST})
list(TRANSFORM SQL_FILE_PATHS REPLACE "^[A-Za-z]+=" "")
string(REPLACE ";" "|" SQL_FILE_ARG "${SQL_FILE_LIST}")
add_custom_command(
  OUTPUT ${SQL_FILES_HEADER}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${SQL_FILE_ARG}" -DOUTPUT=${SQL_FILES_HEADER}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_sql_files.cmake
  DEPENDS ${SQL_FILE_PATHS} ${CMAKE_CURRENT_SOURCE_DIR}/embed_sql_files.cmake
  VERBATIM)

include(GNUInstallDirs)
find_package(Boost 1.74 REQUIRED)

target_sources(pgtrail PRIVATE
  ${SQL_FILES_HEADER}
  blocking_pg.cpp
  tracked_tables.cpp
  sql_install.cpp
  check_command.cpp
  setup_command.cpp
  metrics.cpp
  metrics_server.cpp
  source_monitor.cpp
  ssh_tunnel.cpp
  ops_services.cpp
  version.cpp)
target_include_directories(pgtrail PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
execute_process(COMMAND ${PG_CONFIG} --version OUTPUT_VARIABLE PGTRAIL_PG_VERSION OUTPUT_STRIP_TRAILING_WHITESPACE)
target_compile_definitions(pgtrail PRIVATE PGTRAIL_VERSION="${PROJECT_VERSION}" PGTRAIL_PG_VERSION="${PGTRAIL_PG_VERSION}")
target_link_libraries(pgtrail PRIVATE Boost::headers)

install(TARGETS pgtrail RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES
  ${CMAKE_SOURCE_DIR}/sql/changes.sql
  ${CMAKE_SOURCE_DIR}/sql/pgtrail_base.sql
  ${CMAKE_SOURCE_DIR}/sql/time_travel.sql
  ${CMAKE_SOURCE_DIR}/sql/revert.sql
  ${CMAKE_SOURCE_DIR}/sql/context.sql
  ${CMAKE_SOURCE_DIR}/sql/replica_identity.sql
  DESTINATION ${CMAKE_INSTALL_DATADIR}/pgtrail/sql)
install(FILES
  ${CMAKE_SOURCE_DIR}/packaging/pgtrail.service
  ${CMAKE_SOURCE_DIR}/packaging/pgtrail.env
  ${CMAKE_SOURCE_DIR}/docs/OPERATIONS.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
