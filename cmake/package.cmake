# The Debian package: cpack -G DEB in a tree configured with
# -DCMAKE_INSTALL_PREFIX=/usr writes hotline_<version>_amd64.deb
# (docs/install.md). It holds everything `cmake --install` installs; the
# maintainer scripts are in deploy/debian/.
set(HOTLINE_PACKAGE_MAINTAINER "hotline maintainers <hotline@example.org>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hotline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${HOTLINE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "live scoring of 12345 government-service hotlines")
# The package installs where the tree was configured to: the unit and the
# configuration name those paths (cmake/package-check.cmake refuses a
# Debian package anywhere but /usr).
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/package-check.cmake)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# The summary above becomes the description's first line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"hotlined receives the lifecycle events of 12345 hotline tickets over
ZeroMQ, stores each one durably in LMDB before acknowledging it, keeps
per-unit counters, scores them with declarative rulesets into the
scorecards supervising offices publish, and pushes score updates and
overdue alerts to subscribers. hotline is its command-line client;
libhotline-client lets other programs send events and follow the feed.
.
The service is installed but neither enabled nor started; its
configuration, /etc/hotline/hotline.cfg, listens on loopback only.")
# The runtime dependencies (libczmq4, libzmq5, libprotobuf-c1, liblmdb0,
# libcjson1, libxlsxwriter4...) come from the binaries, with the versions
# they were built against (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# systemd-sysusers or useradd (passwd) makes the user; both are optional.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS systemd)

file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles
     "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hotline/hotline.cfg\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm
    ${CMAKE_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
