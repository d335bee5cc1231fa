# Compiler launcher, linker, warnings and sanitizers for every iocpsim target.
# Project targets link iocpsim::build_options; third-party code built from source does not,
# so warnings-as-errors never applies to it.

find_program(IOCPSIM_CCACHE ccache)
if(IOCPSIM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${IOCPSIM_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${IOCPSIM_CCACHE}")
endif()

# lld links the large debug-info test programs in about a quarter of GNU ld's CPU time.
# (mingw-w64 keeps its own linker.)
if(NOT CMAKE_CROSSCOMPILING AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  find_program(IOCPSIM_LLD ld.lld)
  if(IOCPSIM_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

add_library(iocpsim_build_options INTERFACE)
add_library(iocpsim::build_options ALIAS iocpsim_build_options)
# Exported only because static libraries name their private dependencies; it carries nothing a
# consumer compiles with.
set_target_properties(iocpsim_build_options PROPERTIES EXPORT_NAME build_options)
set_property(GLOBAL APPEND PROPERTY IOCPSIM_EXPORTED_TARGETS iocpsim_build_options)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(iocpsim_build_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports impossible std::string memcpy overlaps at -O2/-O3 (GCC bugs 105329, 105651).
    target_compile_options(iocpsim_build_options INTERFACE -Wno-restrict)
  endif()
  if(IOCPSIM_WERROR)
    target_compile_options(iocpsim_build_options INTERFACE -Werror)
  endif()
endif()

if(WIN32)
  target_compile_definitions(iocpsim_build_options INTERFACE
    _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
endif()

if(IOCPSIM_SANITIZE)
  # Applied globally so that every object, including test mains, is instrumented alike.
  add_compile_options(-fsanitize=${IOCPSIM_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${IOCPSIM_SANITIZE})
  if(IOCPSIM_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # asio's handler recycling uses std::atomic_thread_fence, which GCC warns TSan cannot model.
    # Our own code uses no fences; the device simulator runs each asio io_context on one thread.
    add_compile_options(-Wno-tsan)
  endif()
endif()

# Unity (jumbo) builds, on by default: in every preset, and for developers too. Most of a file's
# compile time is parsing nlohmann/json, asio, GoogleTest and the standard library;
# iocpsim_unity_build() compiles a target's files in batches of up to <batch_size>, so that those
# headers are parsed once per batch. Cold builds of the presets CI builds (dev, asan, tsan, mingw)
# take 35-45 % less CPU. Touching one file recompiles its whole batch: a few seconds more than the
# file alone, partly won back by relinking fewer test programs; that is why batches stay small.
# -DIOCPSIM_UNITY_BUILD=OFF compiles every file on its own (which also checks that each file
# includes what it uses). CMake compiles files with compile options of their own apart.
# A batch is one translation unit, so the files of one target must not share file-local names.
option(IOCPSIM_UNITY_BUILD "Compile the larger targets in unity batches" ON)
function(iocpsim_unity_build target batch_size)
  if(IOCPSIM_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch_size})
  endif()
endfunction()
