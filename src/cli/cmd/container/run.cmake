# Container commands, run group: run, create, start, attach, exec.
target_sources(berth_cli PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/run_group.cc
  ${CMAKE_CURRENT_LIST_DIR}/run_cmd.cc
  ${CMAKE_CURRENT_LIST_DIR}/run_start.cc
  ${CMAKE_CURRENT_LIST_DIR}/attach_cmd.cc
  ${CMAKE_CURRENT_LIST_DIR}/exec_cmd.cc
  ${CMAKE_CURRENT_LIST_DIR}/attach_session.cc
  ${CMAKE_CURRENT_LIST_DIR}/attach_io.cc
  ${CMAKE_CURRENT_LIST_DIR}/create_opts.cc
  ${CMAKE_CURRENT_LIST_DIR}/create_parse.cc
  ${CMAKE_CURRENT_LIST_DIR}/term.cc)

# Unit tests: flags → create body (docker's bodies), parsers, detach keys.
berth_test(cli_container_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/run_group_test.cc
  LIBS berth_cli berth_http)
