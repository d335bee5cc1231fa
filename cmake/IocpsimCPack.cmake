# `cpack` in a build directory: a Debian package of what `cmake --install` installs.
#   cd build/release && cpack -G DEB    # -> iocpsim_<version>_<arch>.deb
set(CPACK_PACKAGE_NAME iocpsim)
set(CPACK_PACKAGE_VENDOR "iocpsim")
set(CPACK_PACKAGE_CONTACT "iocpsim maintainers <iocpsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The programs' shared libraries are found by dpkg-shlibdeps; the headers need these to compile.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "nlohmann-json3-dev (>= 3.10), libasio-dev")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A Win32 I/O-completion-port host engine for a custom TCP device, and the harness that tries to break it:\n\
 iocpsim (scenario runner and explorer), hostd (the engine as a service), device-sim (the device\n\
 emulator), the scenario library, and the static libraries with their headers and CMake package.")
include(CPack)
