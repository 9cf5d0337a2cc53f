# Container commands, run group: run, create, start, attach, exec.
target_sources(berth_cli PRIVATE ${CMAKE_CURRENT_LIST_DIR}/run_group.cc
  ${CMAKE_CURRENT_LIST_DIR}/stdcopy.cc)
