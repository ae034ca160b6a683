# plugins/uring/check_installed_only.cmake: fails when a uring source
# reaches a hornet header that `cmake --install` does not ship.
#
# Runs the compiler's dependency scan (-MM: system headers such as Boost's
# and liburing's are left out) with only the shipped include trees on the
# path, so a header from core/ or another plugin is either not found or
# found through a relative path outside them; both stop the build.
# cmake -DCXX=... -DSOURCES=a|b -DSHIPPED=dir|dir -DOWN=dir -DSTAMP=file -P this
string(REPLACE "|" ";" SOURCES "${SOURCES}")
string(REPLACE "|" ";" SHIPPED "${SHIPPED}")
set(flags -std=c++20 -MM)
foreach(dir IN LISTS SHIPPED)
  list(APPEND flags -I${dir})
endforeach()
set(allowed ${SHIPPED} ${OWN})
foreach(src IN LISTS SOURCES)
  execute_process(COMMAND ${CXX} ${flags} ${src} OUTPUT_VARIABLE deps ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REGEX REPLACE "\n.*" "" err "${err}")
    message(FATAL_ERROR "plugins/uring must build on the installed SDK alone: ${err}")
  endif()
  string(REGEX REPLACE "\\\\\n" " " deps "${deps}")
  string(REGEX REPLACE "^[^:]*:" "" deps "${deps}")
  separate_arguments(deps UNIX_COMMAND "${deps}")
  foreach(dep IN LISTS deps)
    get_filename_component(dep ${dep} REALPATH)
    set(ok FALSE)
    foreach(dir IN LISTS allowed)
      get_filename_component(dir ${dir} REALPATH)
      string(FIND "${dep}" "${dir}/" at)
      if(at EQUAL 0)
        set(ok TRUE)
      endif()
    endforeach()
    if(NOT ok)
      message(FATAL_ERROR "plugins/uring must build on the installed SDK alone: ${src} includes ${dep}, "
                          "which `cmake --install` does not ship; use include/hornet/ and the SDK's headers only")
    endif()
  endforeach()
endforeach()
file(TOUCH ${STAMP})
