# Ganesha's internal headers for out-of-tree FSALs, from the Debian source
# package that matches the installed nfs-ganesha, and a config.h generated
# by Ganesha's own CMake with the options Debian builds with.
#
# Defines:
#   GANESHA_VERSION       upstream version of the installed package (4.3)
#   GANESHA_FSAL_DIR      where ganesha.nfsd loads FSALs from
#   ganesha::headers      INTERFACE target: include dirs and defines
#   ganesha::nfsd         the core library FSALs link against

set(ULM_CACHE_DIR "${CMAKE_SOURCE_DIR}/.cache" CACHE PATH
    "Where the Ganesha source package is downloaded and unpacked")

include(DebianVersion)
ulm_deb_version(nfs-ganesha _deb_version)
string(REGEX REPLACE "-[^-]*$" "" GANESHA_VERSION "${_deb_version_NO_EPOCH}")

set(GANESHA_LIBDIR /usr/lib/ganesha)
set(GANESHA_LIB "${GANESHA_LIBDIR}/libganesha_nfsd.so.${GANESHA_VERSION}")
if(NOT EXISTS "${GANESHA_LIB}")
  message(FATAL_ERROR "nfs-ganesha ${_deb_version} is installed but "
    "${GANESHA_LIB} is missing: reinstall nfs-ganesha")
endif()
# Debian installs FSAL modules in the multiarch directory.
execute_process(COMMAND dpkg-architecture -qDEB_HOST_MULTIARCH
  OUTPUT_VARIABLE _multiarch OUTPUT_STRIP_TRAILING_WHITESPACE)
set(GANESHA_FSAL_DIR "/usr/lib/${_multiarch}/ganesha" CACHE PATH
    "Directory ganesha.nfsd loads FSAL modules from")

set(GANESHA_SRC_DIR "${ULM_CACHE_DIR}/nfs-ganesha-${GANESHA_VERSION}")
if(NOT EXISTS "${GANESHA_SRC_DIR}/src/include/fsal_api.h")
  message(STATUS "Fetching nfs-ganesha ${_deb_version} source package")
  file(MAKE_DIRECTORY "${ULM_CACHE_DIR}")
  execute_process(
    COMMAND apt-get source --download-only "nfs-ganesha=${_deb_version}"
    WORKING_DIRECTORY "${ULM_CACHE_DIR}"
    OUTPUT_QUIET ERROR_VARIABLE _err)
  # Debian's debian.tar.xz may be missing from the mirror; the upstream
  # tarball is all we need.
  set(_orig "${ULM_CACHE_DIR}/nfs-ganesha_${GANESHA_VERSION}.orig.tar.gz")
  if(NOT EXISTS "${_orig}")
    message(FATAL_ERROR "Could not fetch the nfs-ganesha ${_deb_version} "
      "source package (needed for Ganesha's internal headers). Is there a "
      "deb-src entry? Run scripts/install-deps.sh. apt-get said:\n${_err}")
  endif()
  execute_process(COMMAND tar xzf "${_orig}"
    WORKING_DIRECTORY "${ULM_CACHE_DIR}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Could not unpack ${_orig}")
  endif()
endif()

# The headers must describe the library we load into.
file(STRINGS "${GANESHA_SRC_DIR}/src/CMakeLists.txt" _ver_lines
  REGEX "^set\\(GANESHA_(MAJOR|MINOR)_VERSION")
string(REGEX MATCH "MAJOR_VERSION ([0-9]+)" _m "${_ver_lines}")
set(_hdr_major "${CMAKE_MATCH_1}")
string(REGEX MATCH "MINOR_VERSION \\.?([0-9]+)" _m "${_ver_lines}")
set(_hdr_version "${_hdr_major}.${CMAKE_MATCH_1}")
if(NOT _hdr_version STREQUAL GANESHA_VERSION)
  message(FATAL_ERROR "Ganesha headers in ${GANESHA_SRC_DIR} are version "
    "${_hdr_version} but the installed nfs-ganesha is ${GANESHA_VERSION}. "
    "Remove ${GANESHA_SRC_DIR} and re-run cmake to fetch matching headers.")
endif()

# config.h from Ganesha's own CMake, configure step only, with Debian's
# options: these macros change the layout of state_t, state_owner_t and
# the values of state_owner_type_t.
set(GANESHA_CONFIG_DIR "${CMAKE_BINARY_DIR}/ganesha-config")
if(NOT EXISTS "${GANESHA_CONFIG_DIR}/include/config.h")
  message(STATUS "Generating Ganesha config.h (Debian build options)")
  file(MAKE_DIRECTORY "${GANESHA_CONFIG_DIR}")
  execute_process(
    COMMAND ${CMAKE_COMMAND} "${GANESHA_SRC_DIR}/src"
      -DCMAKE_BUILD_TYPE=Release -DUSE_SYSTEM_NTIRPC=ON
      -DUSE_9P=ON -DUSE_NFS3=ON -DUSE_NLM=ON -DUSE_RQUOTA=ON -DUSE_NFSACL3=ON
      -DUSE_LTTNG=OFF -DDEBUG_SAL=OFF -DUSE_DBUS=ON -DUSE_GSS=ON
      -DUSE_FSAL_CEPH=OFF -DUSE_FSAL_GLUSTER=OFF -DUSE_FSAL_RGW=OFF
      -DUSE_FSAL_GPFS=OFF -DUSE_FSAL_XFS=OFF -DUSE_FSAL_LUSTRE=OFF
      -DUSE_FSAL_LIZARDFS=OFF -DUSE_FSAL_KVSFS=OFF -DUSE_FSAL_PROXY_V4=OFF
      -DUSE_FSAL_PROXY_V3=OFF -DUSE_RADOS_RECOV=OFF -DRADOS_URLS=OFF
      -DUSE_ADMIN_TOOLS=OFF -DUSE_GUI_ADMIN_TOOLS=OFF -DUSE_MAN_PAGE=OFF
    WORKING_DIRECTORY "${GANESHA_CONFIG_DIR}"
    OUTPUT_FILE "${GANESHA_CONFIG_DIR}/configure.log"
    ERROR_FILE "${GANESHA_CONFIG_DIR}/configure.log"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0 OR NOT EXISTS "${GANESHA_CONFIG_DIR}/include/config.h")
    file(STRINGS "${GANESHA_CONFIG_DIR}/configure.log" _why
      REGEX "Could NOT find|CMake Error|Unknown CMake command")
    list(JOIN _why "\n" _why)
    # Its cache would keep what it did not find once installed.
    file(REMOVE "${GANESHA_CONFIG_DIR}/CMakeCache.txt")
    message(FATAL_ERROR "Ganesha's configure failed:\n${_why}\n"
      "A missing tool or library is a missing package of "
      "scripts/debian-packages.txt: run scripts/install-deps.sh. "
      "Ganesha's log: ${GANESHA_CONFIG_DIR}/configure.log")
  endif()
endif()

add_library(ganesha_headers INTERFACE)
add_library(ganesha::headers ALIAS ganesha_headers)
# SYSTEM: Ganesha's headers are not held to our -Werror.
target_include_directories(ganesha_headers SYSTEM INTERFACE
  "${GANESHA_CONFIG_DIR}/include"
  "${GANESHA_SRC_DIR}/src/include"
  "${GANESHA_SRC_DIR}/src/include/os/linux"
  /usr/include/ntirpc)
target_compile_definitions(ganesha_headers INTERFACE
  _GNU_SOURCE=1 __USE_GNU _LARGEFILE64_SOURCE _FILE_OFFSET_BITS=64 NDEBUG)
target_compile_options(ganesha_headers INTERFACE -fno-strict-aliasing)

add_library(ganesha::nfsd SHARED IMPORTED)
set_target_properties(ganesha::nfsd PROPERTIES IMPORTED_LOCATION "${GANESHA_LIB}"
  IMPORTED_NO_SONAME FALSE)
