# iocpsim::program: what every program of the project shares (cmake/program.hpp.in): the version
# and commit --version prints, and the exit codes. The commit is read when CMake configures; a new
# commit or checkout makes the next build configure again.

set(IOCPSIM_COMMIT "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE _iocpsim_commit RESULT_VARIABLE _iocpsim_git_rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_iocpsim_git_rc EQUAL 0 AND _iocpsim_commit)
    set(IOCPSIM_COMMIT "${_iocpsim_commit}")
  endif()
  foreach(_iocpsim_ref HEAD logs/HEAD)
    if(EXISTS "${PROJECT_SOURCE_DIR}/.git/${_iocpsim_ref}")
      set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                   "${PROJECT_SOURCE_DIR}/.git/${_iocpsim_ref}")
    endif()
  endforeach()
endif()

configure_file("${CMAKE_CURRENT_LIST_DIR}/program.hpp.in"
               "${PROJECT_BINARY_DIR}/generated/include/iocpsim/program.hpp" @ONLY)
add_library(iocpsim_program INTERFACE)
add_library(iocpsim::program ALIAS iocpsim_program)
target_include_directories(iocpsim_program INTERFACE
  "$<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated/include>" "$<INSTALL_INTERFACE:include>")
target_compile_features(iocpsim_program INTERFACE cxx_std_20)
set_target_properties(iocpsim_program PROPERTIES EXPORT_NAME program)
set_property(GLOBAL APPEND PROPERTY IOCPSIM_EXPORTED_TARGETS iocpsim_program)
