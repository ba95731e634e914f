# CPack: a .deb (Debian 12, BoringSSL build) and an .rpm (OpenSSL 3 build) from the same tree.
#
#   cmake -S . -B build-pkg && cmake --build build-pkg && (cd build-pkg && cpack -G DEB)
#   cmake -S . -B build-rpm -DRINGCAST_CRYPTO=openssl -DRINGCAST_PACKAGE_FORMAT=rpm
#   cmake --build build-rpm && (cd build-rpm && cpack -G RPM)
#
# tests/packaging/package_test.py builds both, lints the .deb and installs it in a fresh Debian 12.

set(CPACK_PACKAGE_NAME "ringcast")
set(CPACK_PACKAGE_VENDOR "ringcast maintainers")
set(CPACK_PACKAGE_CONTACT "ringcast maintainers <maintainers@users.noreply.b-seed-c02da455.example>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RTSP camera streams to browsers over WebRTC (WHEP), on io_uring")
set(CPACK_PACKAGING_INSTALL_PREFIX "${RINGCAST_PACKAGE_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build[^/]*/;/\\\\.git/")
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}/packages")

set(ringcast_description_common
"ringcastd serves live RTSP camera streams to RTSP players and, over WebRTC
(WHEP), to browsers: it pulls cameras (rtsp://), accepts publishers (ffmpeg,
OBS) and fans each stream out to every viewer from one UDP port, on io_uring.
ringcastctl reads and tunes the running daemon like sysctl; the settings live
in /etc/ringcast/ringcast.conf and /etc/ringcast/conf.d/*.conf.")

# --- .deb -------------------------------------------------------------------------------------
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries (liburing2, libsrtp2-1, android-libboringssl, libabsl20220623, libc6,
# libstdc++6, libgcc-s1) come from dpkg-shlibdeps; the maintainer scripts' tools are ours.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "ffmpeg")
# CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY on the synopsis line; this is the extended part.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${ringcast_description_common}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/conffiles.in ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)

# --- .rpm -------------------------------------------------------------------------------------
# No distribution that uses rpm ships BoringSSL, so the rpm is the OpenSSL 3 build: the same
# features (crypto/ has one implementation of its library-specific parts per library).
if(RINGCAST_CRYPTO STREQUAL "boringssl")
  set(ringcast_rpm_library "BoringSSL")
else()
  set(ringcast_rpm_library "OpenSSL 3")
endif()
set(ringcast_rpm_features
"Built with ${ringcast_rpm_library}: RTSP in and out, path pulling and
publishing, WebRTC (WHEP) to browsers with DTLS-SRTP, ringcastctl and /metrics.")
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Not yet licensed (all rights reserved)")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_URL "https://example.invalid/ringcast")
# Where it runs (packaging/rpm/targets.ini; tests/packaging/rpm_compat.py holds it to that).
if(RINGCAST_RPM_STATIC_DEPS)
  set(ringcast_rpm_targets
"For RHEL, Rocky Linux and AlmaLinux 9 and 10 and Fedora 40 or later (x86_64):
abseil, liburing, libsrtp2 and libstdc++ are linked in; it requires no more
than glibc 2.34, OpenSSL 3.0, NSS and systemd.")
else()
  set(ringcast_rpm_targets "Linked against the build machine's shared libraries.")
endif()
set(CPACK_RPM_PACKAGE_DESCRIPTION "${ringcast_description_common}

${ringcast_rpm_features}

${ringcast_rpm_targets}")
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES "systemd")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# On: rpm's own config(ringcast) provide, which the %config file's automatic config(ringcast)
# requirement needs (off, no target could install the package). The programs provide no soname.
set(CPACK_RPM_PACKAGE_AUTOPROV ON)
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/pre)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/preun)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/postun)
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) /etc/ringcast/ringcast.conf"
    "%dir /etc/ringcast/conf.d"
    "%doc ${RINGCAST_PACKAGE_PREFIX}/share/doc/ringcast/copyright")
# Directories the filesystem and systemd packages own: not ours to list.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /lib /lib/systemd /lib/systemd/system /usr/sbin
    /usr/lib/systemd /usr/lib/systemd/system /usr/lib/sysctl.d
    /usr/share/bash-completion /usr/share/bash-completion/completions
    /usr/share/man /usr/share/man/man5 /usr/share/man/man8 /usr/share/doc)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")

include(CPack)
