# Read by cpack before it builds a package (cmake/package.cmake). The
# systemd unit, the sysusers.d and tmpfiles.d files and the maintainer
# scripts of the Debian package are written for /usr.
if(CPACK_GENERATOR STREQUAL "DEB" AND
   NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "the Debian package installs under /usr, but this tree is configured "
    "for ${CPACK_PACKAGING_INSTALL_PREFIX}: configure it with "
    "-DCMAKE_INSTALL_PREFIX=/usr and run cpack again")
endif()
