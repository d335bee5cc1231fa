# Compiler launcher, warnings and sanitizers for every iocpsim target.
# Project targets link iocpsim::build_options; third-party code built from source does not,
# so warnings-as-errors never applies to it.

find_program(IOCPSIM_CCACHE ccache)
if(IOCPSIM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${IOCPSIM_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${IOCPSIM_CCACHE}")
endif()

add_library(iocpsim_build_options INTERFACE)
add_library(iocpsim::build_options ALIAS iocpsim_build_options)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(iocpsim_build_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough -Wno-missing-field-initializers)
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
endif()
