# Every third-party dependency is found here, from Debian's packages (tools/setup.sh installs them).
# Nothing is downloaded at build time and nothing is vendored.

find_package(Threads REQUIRED)

# Header-only libraries. For the mingw-w64 build the toolchain file points IOCPSIM_HOST_HEADERS
# at a directory of symlinks to them (the host's /usr/include cannot be added whole).
find_package(nlohmann_json 3.10 QUIET)
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_path(IOCPSIM_NLOHMANN_DIR nlohmann/json.hpp REQUIRED)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${IOCPSIM_NLOHMANN_DIR}")
endif()

find_path(IOCPSIM_ASIO_DIR asio.hpp REQUIRED)
add_library(iocpsim_asio INTERFACE)
add_library(iocpsim::asio ALIAS iocpsim_asio)
# Installed consumers find asio where the system keeps it (Debian: /usr/include).
target_include_directories(iocpsim_asio SYSTEM INTERFACE "$<BUILD_INTERFACE:${IOCPSIM_ASIO_DIR}>")
set_target_properties(iocpsim_asio PROPERTIES EXPORT_NAME asio)
set_property(GLOBAL APPEND PROPERTY IOCPSIM_EXPORTED_TARGETS iocpsim_asio)
target_compile_definitions(iocpsim_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(iocpsim_asio INTERFACE Threads::Threads)
if(WIN32)
  target_link_libraries(iocpsim_asio INTERFACE ws2_32 mswsock)
endif()

find_package(CLI11 QUIET CONFIG)
if(NOT TARGET CLI11::CLI11)
  find_path(IOCPSIM_CLI11_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  set_target_properties(CLI11::CLI11 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${IOCPSIM_CLI11_DIR}")
endif()

# cpp-httplib (Debian builds it as a shared library; its pkg-config file carries the flags the
# library was built with): device-sim's control API. Without it device-sim has no --control.
if(NOT CMAKE_CROSSCOMPILING)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(IOCPSIM_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
  endif()
endif()

if(IOCPSIM_BUILD_TESTS)
  if(CMAKE_CROSSCOMPILING)
    # Debian ships GoogleTest as sources for other targets; build them with this toolchain.
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/_deps/googletest" EXCLUDE_FROM_ALL SYSTEM)
    # googletest's own CMakeLists defines the GTest:: aliases.
  else()
    find_package(GTest REQUIRED)
  endif()
endif()

if(IOCPSIM_BUILD_BENCHMARKS AND NOT CMAKE_CROSSCOMPILING)
  find_package(benchmark REQUIRED)
endif()
