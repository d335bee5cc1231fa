# Installing iocpsim, and finding it from another project.
#
#   cmake --install build/<preset> --prefix /opt/iocpsim
#   find_package(iocpsim CONFIG REQUIRED)            # in the consumer's CMakeLists.txt
#   target_link_libraries(app PRIVATE iocpsim::engine)
#
# Installed: the libraries (static) and their headers, the three programs, the scenario library
# with schema.json (share/iocpsim/scenarios), the examples, the docs, a CMake package
# (lib/cmake/iocpsim) with namespaced targets that carry C++20 and their dependencies, and a
# pkg-config file for the engine (iocpsim.pc). `cpack` makes a Debian package of the same tree.
# Consumers through add_subdirectory() get the same iocpsim:: targets (the aliases).

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Marks a library target for installation under iocpsim::<name>; `include_dir` (may be "") is
# its public header tree, installed whole under include/.
function(iocpsim_export target name include_dir)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_compile_features(${target} INTERFACE cxx_std_20)
  else()
    target_compile_features(${target} PUBLIC cxx_std_20)
  endif()
  set_property(GLOBAL APPEND PROPERTY IOCPSIM_EXPORTED_TARGETS ${target})
  if(include_dir)
    # Test-only helpers (GoogleMock doubles) stay in the source tree.
    install(DIRECTORY "${include_dir}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
            COMPONENT development PATTERN testing EXCLUDE)
  endif()
endfunction()

# Called once, at the end of the top-level CMakeLists.txt, when every target exists.
function(iocpsim_install)
  get_property(targets GLOBAL PROPERTY IOCPSIM_EXPORTED_TARGETS)
  install(TARGETS ${targets} EXPORT iocpsimTargets
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development
          LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
  install(FILES "${PROJECT_BINARY_DIR}/generated/include/iocpsim/program.hpp"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/iocpsim" COMPONENT development)
  set(cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/iocpsim")
  install(EXPORT iocpsimTargets NAMESPACE iocpsim:: DESTINATION "${cmake_dir}" COMPONENT development)
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/iocpsimConfig.cmake.in"
                                "${PROJECT_BINARY_DIR}/package/iocpsimConfig.cmake"
                                INSTALL_DESTINATION "${cmake_dir}"
                                PATH_VARS CMAKE_INSTALL_DATADIR)
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/iocpsimConfigVersion.cmake"
                                   COMPATIBILITY SameMinorVersion)
  install(FILES "${PROJECT_BINARY_DIR}/package/iocpsimConfig.cmake"
                "${PROJECT_BINARY_DIR}/package/iocpsimConfigVersion.cmake"
          DESTINATION "${cmake_dir}" COMPONENT development)

  # pkg-config: the engine and what it stands on (static libraries, in link order).
  configure_file("${PROJECT_SOURCE_DIR}/cmake/iocpsim.pc.in" "${PROJECT_BINARY_DIR}/package/iocpsim.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/package/iocpsim.pc"
          DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT development)

  install(TARGETS iocpsim hostd device-sim RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT programs)
  # The library of scenarios keeps its layout: each file's "$schema" is ../schema.json.
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/scenarios/" DESTINATION "${CMAKE_INSTALL_DATADIR}/iocpsim/scenarios"
          COMPONENT programs FILES_MATCHING PATTERN "*.json" PATTERN "*.md")
  install(FILES "${PROJECT_SOURCE_DIR}/host/hostd/hostd.example.json"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/iocpsim/examples" COMPONENT programs)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/device-sim/examples/"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/iocpsim/examples/device-sim" COMPONENT programs)
  install(FILES README.md CONTRIBUTING.md docs/IOCP-SEMANTICS.md protocol/PROTOCOL.md host/engine/EVENTS.md
                host/iocp/FAULTS.md
          DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT programs)
  # Each part's README under the part's name.
  foreach(part engine iocp hostd)
    install(FILES "host/${part}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}" RENAME "${part}.md"
            COMPONENT programs)
  endforeach()
  install(FILES device-sim/README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}" RENAME device-sim.md COMPONENT programs)
endfunction()
