# The .rpm's binaries carry inside them what its target distributions do not ship at the soname
# Debian 12 builds against (packaging/rpm/targets.ini says what each target ships and where that
# came from; tests/packaging/rpm_compat.py checks the result):
#
#   abseil    Debian's libabsl_*.so.20220623: RHEL 9 has no abseil outside EPEL; Fedora and
#             EPEL ship other LTS releases under other sonames.            -> libabsl_*.a
#   liburing  liburing.so.2: RHEL 9.0-9.3 ship liburing 0.7 (liburing.so.1) or none.
#                                                                           -> liburing.a
#   libsrtp2  libsrtp2.so.1 is everywhere, but RHEL 9/10 ship 2.3.0 and the library has no
#             symbol versions, so nothing in the rpm's Requires could say "2.5 or later"
#                                                                           -> libsrtp2.a
#             Debian's libsrtp2 is built on NSS; libnss3.so and libnspr4.so (unversioned
#             sonames, symbol-versioned NSS_3.x) are in every target's base repository and
#             stay dynamic, as RHEL's own libsrtp has them.
#   libstdc++ RHEL 9's GCC 11 libstdc++ tops at GLIBCXX_3.4.29; Debian 12's GCC 12 code needs
#             3.4.30                                                     -> -static-libstdc++
#             Its std::random_device calls arc4random (glibc 2.36): glibc_compat.c stands in.
#   libgcc_s  stays dynamic: every target has libgcc_s.so.1 and the GCC_ nodes used are old.
#             (-static-libgcc would bring GCC 12's unwinder, which needs _dl_find_object from
#             glibc 2.35 and has no fallback without it.)
#
# What stays dynamic: libgcc_s, glibc (libc.so.6, libm.so.6, ld-linux; symbol versions up to
# the oldest target's), OpenSSL 3 (libcrypto.so.3, libssl.so.3; OPENSSL_3.0.0 only, as Debian's 3.0 has) and
# NSS/NSPR. Only the rpm flavour does this (packaging/CMakeLists.txt: RINGCAST_RPM_STATIC_DEPS);
# the .deb links Debian's shared libraries and dpkg-shlibdeps names them.

# Switches every shared library an imported target links to its static archive beside it
# (libfoo.so[.N...] -> libfoo.a), or fails saying which archive is missing.
function(ringcast_static_archive_for shared out)
  string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${shared}")
  if(archive STREQUAL shared OR NOT EXISTS "${archive}")
    message(FATAL_ERROR "RINGCAST_RPM_STATIC_DEPS: no static archive for ${shared} "
                        "(looked for ${archive}); configure with -DRINGCAST_RPM_STATIC_DEPS=OFF "
                        "for a binary that needs the shared library on the target")
  endif()
  set(${out} "${archive}" PARENT_SCOPE)
endfunction()

# abseil: Debian's abslTargets declare SHARED IMPORTED targets, one location per configuration.
get_directory_property(ringcast_imported DIRECTORY ${PROJECT_SOURCE_DIR} IMPORTED_TARGETS)
set(ringcast_absl_static 0)
foreach(target IN LISTS ringcast_imported)
  if(NOT target MATCHES "^absl::")
    continue()
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "SHARED_LIBRARY")
    continue()
  endif()
  get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
  foreach(config IN LISTS configs)
    get_target_property(location ${target} IMPORTED_LOCATION_${config})
    ringcast_static_archive_for("${location}" archive)
    # A SHARED IMPORTED target whose location is an archive: CMake puts the path on the link
    # line in dependency order (each absl target before the ones it needs), which is the order
    # static archives must come in.
    set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
    set_property(TARGET ${target} PROPERTY IMPORTED_SONAME_${config})
  endforeach()
  math(EXPR ringcast_absl_static "${ringcast_absl_static} + 1")
endforeach()
if(ringcast_absl_static EQUAL 0)
  message(FATAL_ERROR "RINGCAST_RPM_STATIC_DEPS: found no absl:: shared library targets to switch")
endif()

# liburing and libsrtp2: pkg-config imported targets list the .so by full path.
function(ringcast_static_pkg target)
  get_target_property(libraries ${target} INTERFACE_LINK_LIBRARIES)
  set(static_libraries)
  foreach(library IN LISTS libraries)
    if(library MATCHES "\\.so(\\.[0-9.]+)?$")
      ringcast_static_archive_for("${library}" archive)
      list(APPEND static_libraries "${archive}")
    else()
      list(APPEND static_libraries "${library}")
    endif()
  endforeach()
  list(APPEND static_libraries ${ARGN})
  set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${static_libraries}")
endfunction()
ringcast_static_pkg(PkgConfig::URING)
# libsrtp2.a's crypto (Debian builds it on NSS): the two NSS libraries its objects call.
find_library(RINGCAST_NSS3 NAMES nss3 libnss3.so REQUIRED)
find_library(RINGCAST_NSPR4 NAMES nspr4 libnspr4.so REQUIRED)
ringcast_static_pkg(PkgConfig::SRTP2 ${RINGCAST_NSS3} ${RINGCAST_NSPR4})

# The packaged programs take libstdc++ in (tests and tools built in this tree keep the shared
# one: they never leave the build machine).
foreach(program ringcastd ringcastctl)
  target_link_options(${program} PRIVATE -static-libstdc++ -Wl,--wrap=arc4random)
  target_sources(${program} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/glibc_compat.c)
endforeach()
message(STATUS "ringcast: rpm flavour links abseil (${ringcast_absl_static} libraries), liburing, "
               "libsrtp2 and libstdc++ statically")
