# Before anything is configured: are the Debian packages this build needs
# installed? Names each missing package and the command that installs it,
# instead of failing later inside a find_* call or Ganesha's own configure.
# The list is scripts/debian-packages.txt, the one install-deps.sh installs.

find_program(DPKG_QUERY dpkg-query)
if(NOT DPKG_QUERY)
  message(WARNING "dpkg-query not found: not a Debian system, so the "
    "packages of scripts/debian-packages.txt are not checked")
  return()
endif()

set(_needed_for build)
if(ULM_WITH_FSAL)
  list(APPEND _needed_for fsal)
endif()
if(ULM_WITH_SAMBA)
  list(APPEND _needed_for smb)
endif()

file(STRINGS "${CMAKE_SOURCE_DIR}/scripts/debian-packages.txt" _lines
  REGEX "^[a-z0-9]")
set(_wanted)
foreach(_line IN LISTS _lines)
  string(REGEX MATCH "^([^ \t]+)[ \t]+([a-z]+)" _m "${_line}")
  if(CMAKE_MATCH_2 IN_LIST _needed_for)
    list(APPEND _wanted "${CMAKE_MATCH_1}")
  endif()
endforeach()

execute_process(
  COMMAND ${DPKG_QUERY} -W "-f=\${Package} \${db:Status-Status}\n" ${_wanted}
  OUTPUT_VARIABLE _status ERROR_QUIET)
set(_missing)
foreach(_pkg IN LISTS _wanted)
  string(REGEX MATCH "(^|\n)${_pkg} installed" _ok "${_status}")
  if(NOT _ok)
    list(APPEND _missing "${_pkg}")
  endif()
endforeach()

if(_missing)
  list(JOIN _missing " " _names)
  message(FATAL_ERROR "Missing Debian packages: ${_names}\n"
    "Install everything ULM needs with:  sudo ${CMAKE_SOURCE_DIR}/scripts/install-deps.sh\n"
    "(or just these:  sudo apt-get update && sudo apt-get install ${_names})")
endif()
