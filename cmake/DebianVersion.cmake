# ulm_deb_version(PACKAGE VAR): VAR = the installed Debian version of
# PACKAGE ("2:4.17.12+dfsg-0+deb12u4"), VAR_NO_EPOCH = it without the
# epoch; a package that is not installed is a configure error naming the
# command that installs it.
function(ulm_deb_version package var)
  execute_process(
    COMMAND dpkg-query -W "-f=\${Version}" ${package}
    OUTPUT_VARIABLE _v RESULT_VARIABLE _rc ERROR_QUIET)
  if(NOT _rc EQUAL 0 OR _v STREQUAL "")
    message(FATAL_ERROR "${package} is not installed: run scripts/install-deps.sh")
  endif()
  string(REGEX REPLACE "^[0-9]+:" "" _no_epoch "${_v}")
  set(${var} "${_v}" PARENT_SCOPE)
  set(${var}_NO_EPOCH "${_no_epoch}" PARENT_SCOPE)
endfunction()
