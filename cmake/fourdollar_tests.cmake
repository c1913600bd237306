# Every test's TIMEOUT goes through fourdollar_test_timeout, scaled by this factor: ctest's
# --timeout does not override a test's own TIMEOUT, and the sanitizer presets run the same tests
# several times slower (CMakePresets.json sets 3 for asan, 4 for tsan).
set(FOURDOLLAR_TEST_TIMEOUT_SCALE 1 CACHE STRING "Factor (whole number) on every test's TIMEOUT")

# fourdollar_test_timeout(OUT_VAR SECONDS): SECONDS times FOURDOLLAR_TEST_TIMEOUT_SCALE.
function(fourdollar_test_timeout out seconds)
  math(EXPR scaled "${seconds} * ${FOURDOLLAR_TEST_TIMEOUT_SCALE}")
  set(${out} ${scaled} PARENT_SCOPE)
endfunction()

# fourdollar_discover_tests(TARGET [TIMEOUT seconds])
# Registers every GoogleTest test of TARGET with ctest (FOURDOLLAR_BINARY names the product
# binary). A test that calls GTEST_SKIP exits 0; the "[  SKIPPED ]" line of its output makes ctest
# count it as skipped rather than passed, so scripts/test.sh can list it (and fail under CI=true).
function(fourdollar_discover_tests target)
  cmake_parse_arguments(ARG "" "TIMEOUT" "" ${ARGN})
  set(properties ENVIRONMENT "FOURDOLLAR_BINARY=$<TARGET_FILE:fourdollar>"
                 SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
  if(ARG_TIMEOUT)
    fourdollar_test_timeout(timeout ${ARG_TIMEOUT})
    list(APPEND properties TIMEOUT ${timeout})
  endif()
  fourdollar_test_timeout(discovery_timeout 30)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT ${discovery_timeout} PROPERTIES ${properties})
endfunction()
