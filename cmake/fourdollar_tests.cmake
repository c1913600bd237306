# fourdollar_discover_tests(TARGET [TIMEOUT seconds])
# Registers every GoogleTest test of TARGET with ctest (FOURDOLLAR_BINARY names the product
# binary). A test that calls GTEST_SKIP exits 0; the "[  SKIPPED ]" line of its output makes ctest
# count it as skipped rather than passed, so scripts/test.sh can list it (and fail under CI=true).
function(fourdollar_discover_tests target)
  cmake_parse_arguments(ARG "" "TIMEOUT" "" ${ARGN})
  set(properties ENVIRONMENT "FOURDOLLAR_BINARY=$<TARGET_FILE:fourdollar>"
                 SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
  if(ARG_TIMEOUT)
    list(APPEND properties TIMEOUT ${ARG_TIMEOUT})
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 30 PROPERTIES ${properties})
endfunction()
