# vsd_module(NAME SOURCES ... DEPS ...)
#
# One static library per module. Each module's headers are reachable only through an include
# directory of its own (build/include/<module>/<module> -> src/<module>), which the target passes on
# to whoever links it. A module can therefore include "core/x.h" only if it depends on core, so a
# forbidden include (say sched including conn) fails the build instead of silently compiling.
function(vsd_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  set(forest "${CMAKE_BINARY_DIR}/include/${name}")
  file(MAKE_DIRECTORY "${forest}")
  file(CREATE_LINK "${CMAKE_SOURCE_DIR}/src/${name}" "${forest}/${name}" SYMBOLIC)
  add_library(vsd_${name} STATIC ${M_SOURCES})
  target_include_directories(vsd_${name} PUBLIC "${forest}")
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(vsd_${name} PUBLIC vsd_${dep})
  endforeach()
  if(M_LIBS)
    target_link_libraries(vsd_${name} PUBLIC ${M_LIBS})
  endif()
endfunction()

# vsd_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with ctest.
function(vsd_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  foreach(dep IN LISTS T_DEPS)
    target_link_libraries(${name} PRIVATE vsd_${dep})
  endforeach()
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
