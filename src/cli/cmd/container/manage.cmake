# Container commands, manage group: ps, inspect, logs, stop, kill, rm, ...
pkg_check_modules(CLI_MANAGE_ARCHIVE REQUIRED IMPORTED_TARGET libarchive)
target_sources(berth_cli PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/manage_group.cc
  ${CMAKE_CURRENT_LIST_DIR}/ps.cc
  ${CMAKE_CURRENT_LIST_DIR}/ps_rows.cc
  ${CMAKE_CURRENT_LIST_DIR}/logs.cc
  ${CMAKE_CURRENT_LIST_DIR}/manage_lifecycle.cc
  ${CMAKE_CURRENT_LIST_DIR}/manage_info.cc
  ${CMAKE_CURRENT_LIST_DIR}/manage_update.cc
  ${CMAKE_CURRENT_LIST_DIR}/manage_commit.cc
  ${CMAKE_CURRENT_LIST_DIR}/cp.cc
  ${CMAKE_CURRENT_LIST_DIR}/cp_path.cc
  ${CMAKE_CURRENT_LIST_DIR}/cp_archive.cc
  ${CMAKE_CURRENT_LIST_DIR}/stats.cc
  ${CMAKE_CURRENT_LIST_DIR}/stats_calc.cc)
target_link_libraries(berth_cli PRIVATE PkgConfig::CLI_MANAGE_ARCHIVE)

berth_test(cli_manage_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/manage_test.cc
  LIBS berth_cli berth_http)
