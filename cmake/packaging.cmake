# The Debian package: `cmake --build build --target package` writes
# build/fourdollar_<version>_<arch>.deb. The unit, its configuration file and the maintainer
# scripts are in packaging/.
#
# Layout: /usr/bin/fourdollar (src/cli), the default templates (also built into the binary;
# here to be copied and edited for --templates) and the scenarios under /usr/share/fourdollar,
# the docs under /usr/share/doc/fourdollar, the unit under /lib/systemd/system and the
# configuration (a conffile) under /etc/fourdollar. (CPack installs a DEB under /usr by default.)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/blog/templates/ DESTINATION share/fourdollar/templates
        FILES_MATCHING PATTERN "*.mustache")
install(FILES ${PROJECT_SOURCE_DIR}/scenarios/seed.yaml DESTINATION share/fourdollar/scenarios)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/examples DESTINATION share/fourdollar/scenarios
        FILES_MATCHING PATTERN "*.yaml")
# README.md links to docs/*.md: keep that layout so the links work.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/fourdollar)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION share/doc/fourdollar
        FILES_MATCHING PATTERN "*.md")

# Debian's policy: the licence as a machine-readable copyright file (DEP-5) and the changelog,
# compressed with gzip -9n (no name or time stamp, so the package builds the same twice).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright DESTINATION share/doc/fourdollar)
set(debian_changelog ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(
  OUTPUT ${debian_changelog}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${debian_changelog}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog
  COMMENT "Compressing the Debian changelog")
add_custom_target(debian_changelog ALL DEPENDS ${debian_changelog})
install(FILES ${debian_changelog} DESTINATION share/doc/fourdollar)

# The unit names /usr/bin/fourdollar and /etc/fourdollar, so these two files belong to the
# package only: a plain `cmake --install` (to /usr/local by default) leaves them out.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fourdollar.service DESTINATION /lib/systemd/system
        COMPONENT debian EXCLUDE_FROM_ALL)
# 0640: the file may hold a write token or a PostgreSQL password.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fourdollar.conf DESTINATION /etc/fourdollar
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fourdollar)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# One package holding both components; DEB-DEFAULT names it fourdollar_<version>_<arch>.deb.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified debian)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "fourdollar maintainers <maintainers@users.noreply.r-seed-64e9c31a.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "blog server, load generator and capacity report in one binary")
# CPack puts the summary on the Description line and this below it, indented.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "fourdollar serve is a small blog server (epoll, SQLite in WAL mode with group
commit, or PostgreSQL) with a hardened systemd unit. fourdollar load is a
k6-like load generator, fourdollar report writes an HTML report with the
capacity knee, and fourdollar bench measures what this machine can serve.")
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps computes Depends from the libraries the binary links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Installed stripped, as Debian ships binaries.
set(CPACK_STRIP_FILES ON)
# libpq is not linked: it is loaded with dlopen only when --db names a postgres:// store
# (src/store/libpq.h), so dpkg-shlibdeps cannot see it. A blog on SQLite, the default, never
# loads it, hence Suggests rather than Recommends (which apt would install by default, with
# OpenSSL, Kerberos and LDAP behind it); without it a postgres:// store fails to open, naming
# the package.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS libpq5)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
# Control files get the modes dpkg expects (0755 scripts, 0644 lists), not the source tree's.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# `package_source` (which include(CPack) also defines): the sources only.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/\\.git$" "/build[^/]*/" "/node_modules/" "/results/"
    "/data/")
include(CPack)
