include(GoogleTest)

# iocpsim_add_test(<name> SOURCES <files...> [LIBS <targets...>] [LABELS <labels...>] [NO_MAIN])
#
# Adds one GoogleTest executable and registers each of its test cases with CTest, so that
# `ctest -R Suite.Case` runs a single case. Discovery happens before the tests run
# (PRE_TEST), which also works when the executable runs under an emulator (Wine).
# Every test is labelled "unit" unless LABELS says otherwise; "threaded" marks the ones CI
# also runs under ThreadSanitizer.
function(iocpsim_add_test name)
  cmake_parse_arguments(ARG "NO_MAIN" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  if("threaded" IN_LIST ARG_LABELS)
    # One target builds every threaded test: the tsan stage builds only what it runs.
    if(NOT TARGET iocpsim_threaded_tests)
      add_custom_target(iocpsim_threaded_tests)
    endif()
    add_dependencies(iocpsim_threaded_tests ${name})
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock iocpsim::build_options)
  if(NOT ARG_NO_MAIN)
    target_link_libraries(${name} PRIVATE GTest::gtest_main)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  # Labels are set by a script that runs after discovery: gtest_discover_tests flattens its
  # PROPERTIES into one list, which keeps only the first of several labels.
  set(labels_script "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
  file(WRITE "${labels_script}"
    "if(${name}_TESTS)\n"
    "  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARG_LABELS}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_script}")
endfunction()
