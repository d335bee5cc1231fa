# Cross-build for 64-bit Windows with mingw-w64 (posix threads), run under Wine.
# See ../shared/WINDOWS.md for why each line is here.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# -static-libgcc/-static-libstdc++ are not enough with the posix-threads compiler: the program
# would still need libwinpthread-1.dll and exit 53 under Wine without a word.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

set(CMAKE_CROSSCOMPILING_EMULATOR wine)

# Header-only libraries live in the host's /usr/include, which must not be searched whole
# (it would drag in glibc's headers). A directory of symlinks exposes just them.
set(_iocpsim_hdrs "${CMAKE_BINARY_DIR}/host-headers")
file(MAKE_DIRECTORY "${_iocpsim_hdrs}")
foreach(_entry asio.hpp asio nlohmann CLI)
  if(EXISTS "/usr/include/${_entry}" AND NOT EXISTS "${_iocpsim_hdrs}/${_entry}")
    file(CREATE_LINK "/usr/include/${_entry}" "${_iocpsim_hdrs}/${_entry}" SYMBOLIC)
  endif()
endforeach()
set(IOCPSIM_ASIO_DIR "${_iocpsim_hdrs}" CACHE PATH "")
set(IOCPSIM_NLOHMANN_DIR "${_iocpsim_hdrs}" CACHE PATH "")
set(IOCPSIM_CLI11_DIR "${_iocpsim_hdrs}" CACHE PATH "")
