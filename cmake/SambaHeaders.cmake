# Samba's internal headers for an out-of-tree VFS module (samba-dev has
# none), from the Debian source package that matches the installed smbd:
# fetched, unpacked with Debian's patches, configured with reduced options
# and its generated headers built, once, in ULM_CACHE_DIR. About 1.5 min
# the first time; nothing afterwards.
#
# Defines:
#   SAMBA_VERSION     upstream version of the installed samba package
#   SAMBA_MODULESDIR  where smbd loads modules from (vfs/ under it)
#   samba::headers    INTERFACE target: include dirs and defines
#   samba::smbd       INTERFACE target: the libraries smbd's modules use

set(ULM_CACHE_DIR "${CMAKE_SOURCE_DIR}/.cache" CACHE PATH
    "Where the Ganesha and Samba source packages are unpacked")

include(DebianVersion)
ulm_deb_version(samba _samba_deb)
string(REGEX REPLACE "[-+].*$" "" SAMBA_VERSION "${_samba_deb_NO_EPOCH}")
execute_process(COMMAND dpkg-architecture -qDEB_HOST_MULTIARCH
  OUTPUT_VARIABLE _multiarch OUTPUT_STRIP_TRAILING_WHITESPACE)
set(SAMBA_LIBDIR "/usr/lib/${_multiarch}")
set(SAMBA_MODULESDIR "${SAMBA_LIBDIR}/samba")

set(SAMBA_SRC_DIR "${ULM_CACHE_DIR}/samba-${SAMBA_VERSION}")
set(_stamp "${SAMBA_SRC_DIR}/.ulm-headers-${_samba_deb}")
# Worktrees share the cache: one prepares it, the others wait.
file(MAKE_DIRECTORY "${ULM_CACHE_DIR}")
file(LOCK "${ULM_CACHE_DIR}/samba.lock" GUARD FILE TIMEOUT 900)

function(_samba_step what)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${SAMBA_SRC_DIR}"
    OUTPUT_FILE "${SAMBA_SRC_DIR}/ulm-${what}.log"
    ERROR_FILE "${SAMBA_SRC_DIR}/ulm-${what}.log" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Samba's ${what} failed: see "
      "${SAMBA_SRC_DIR}/ulm-${what}.log. A missing tool or library is a "
      "missing package of scripts/debian-packages.txt: run "
      "scripts/install-deps.sh, remove ${SAMBA_SRC_DIR} and re-run cmake.")
  endif()
endfunction()

if(NOT EXISTS "${_stamp}")
  message(STATUS "Preparing Samba ${_samba_deb} headers in ${SAMBA_SRC_DIR}")
  file(REMOVE_RECURSE "${SAMBA_SRC_DIR}")
  set(_dsc "${ULM_CACHE_DIR}/samba_${_samba_deb_NO_EPOCH}.dsc")
  if(NOT EXISTS "${_dsc}")
    execute_process(
      COMMAND apt-get source --download-only "samba=${_samba_deb}"
      WORKING_DIRECTORY "${ULM_CACHE_DIR}" OUTPUT_QUIET ERROR_VARIABLE _err)
  endif()
  if(NOT EXISTS "${_dsc}")
    message(FATAL_ERROR "Could not fetch the samba ${_samba_deb} source "
      "package. Is there a deb-src entry? Run scripts/install-deps.sh. "
      "apt-get said:\n${_err}")
  endif()
  execute_process(COMMAND dpkg-source -x "${_dsc}" "${SAMBA_SRC_DIR}"
    WORKING_DIRECTORY "${ULM_CACHE_DIR}" OUTPUT_QUIET RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Could not unpack ${_dsc}")
  endif()
  # As debian/rules does: samba_version_string() says "Debian".
  execute_process(COMMAND dpkg-vendor --query Vendor
    OUTPUT_VARIABLE _vendor OUTPUT_STRIP_TRAILING_WHITESPACE)
  file(READ "${SAMBA_SRC_DIR}/VERSION" _v)
  string(REGEX REPLACE "\nSAMBA_VERSION_VENDOR_SUFFIX=[^\n]*"
    "\nSAMBA_VERSION_VENDOR_SUFFIX=${_vendor}" _v "${_v}")
  file(WRITE "${SAMBA_SRC_DIR}/VERSION" "${_v}")
  # debian/rules' paths; no AD DC, Python, LDAP, printing: none of them
  # changes the structures a VFS module sees.
  _samba_step(configure ./configure --prefix=/usr --enable-fhs
    --sysconfdir=/etc --localstatedir=/var
    --libexecdir=${SAMBA_LIBDIR} --with-modulesdir=${SAMBA_MODULESDIR}
    --with-privatelibdir=${SAMBA_MODULESDIR}
    --with-lockdir=/run/samba --with-piddir=/run/samba
    --with-statedir=/var/lib/samba --with-cachedir=/var/cache/samba
    --disable-python --without-ad-dc --without-json --without-ldap
    --without-ads --without-pam --without-libarchive --disable-cups
    --disable-iprint --without-systemd --without-gpgme --disable-avahi
    --disable-spotlight --without-ldb-lmdb
    --bundled-libraries=NONE,pytevent,ldb --disable-rpath
    --disable-rpath-install)
  # Only the generated headers smbd's VFS headers include.
  _samba_step(headers ${CMAKE_COMMAND} -E env PYTHONHASHSEED=1
    ./buildtools/bin/waf build -j2 --targets=ntstatus_generated,werror_generated,param_local.h,s3_param_proto_h,PIDL_SERVER_ID,PIDL_MISC,PIDL_FILE_ID,PIDL_SMB2_LEASE_STRUCT,PIDL_SECURITY,PIDL_SMB_ACL,PIDL_AUTH,PIDL_LSA,PIDL_KRB5PAC,PIDL_NETLOGON,PIDL_SAMR,PIDL_SMBXSRV)
  file(TOUCH "${_stamp}")
endif()
file(LOCK "${ULM_CACHE_DIR}/samba.lock" RELEASE)

set(_s "${SAMBA_SRC_DIR}")
add_library(samba_headers INTERFACE)
add_library(samba::headers ALIAS samba_headers)
# SYSTEM: Samba's headers are not held to our -Werror.
target_include_directories(samba_headers SYSTEM INTERFACE
  ${_s}/bin/default/include ${_s}/source3 ${_s}/source3/include
  ${_s}/lib/replace ${_s}/bin/default ${_s} ${_s}/bin/default/source3
  ${_s}/bin/default/source3/include ${_s}/lib ${_s}/include ${_s}/source4
  ${_s}/bin/default/source4 ${_s}/source3/lib)
target_compile_definitions(samba_headers INTERFACE
  HAVE_CONFIG_H=1 _SAMBA_BUILD_=4 __STDC_WANT_LIB_EXT1__=1)

# smbd's libraries, private ones included: the module is loaded into smbd
# and every symbol must resolve against the libraries smbd itself uses.
add_library(samba_smbd INTERFACE)
add_library(samba::smbd ALIAS samba_smbd)
foreach(_lib ${SAMBA_MODULESDIR}/libsmbd-base-samba4.so.0
    ${SAMBA_MODULESDIR}/libsamba-debug-samba4.so.0
    ${SAMBA_MODULESDIR}/libsamba-sockets-samba4.so.0
    ${SAMBA_MODULESDIR}/libsamba3-util-samba4.so.0
    ${SAMBA_MODULESDIR}/libreplace-samba4.so.0
    ${SAMBA_LIBDIR}/libsmbconf.so.0 ${SAMBA_LIBDIR}/libsamba-util.so.0
    ${SAMBA_LIBDIR}/libsamba-errors.so.1 ${SAMBA_LIBDIR}/libtalloc.so.2
    ${SAMBA_LIBDIR}/libtevent.so.0)
  if(NOT EXISTS "${_lib}")
    message(FATAL_ERROR "${_lib} is missing: reinstall samba")
  endif()
  target_link_libraries(samba_smbd INTERFACE "${_lib}")
endforeach()
