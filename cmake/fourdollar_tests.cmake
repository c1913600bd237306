# Every test's TIMEOUT goes through fourdollar_test_timeout, scaled by this factor: ctest's
# --timeout does not override a test's own TIMEOUT, and the sanitizer presets run the same tests
# several times slower (CMakePresets.json sets 3 for asan, 4 for tsan).
set(FOURDOLLAR_TEST_TIMEOUT_SCALE 1 CACHE STRING "Factor (whole number) on every test's TIMEOUT")

# fourdollar_test_timeout(OUT_VAR SECONDS): SECONDS times FOURDOLLAR_TEST_TIMEOUT_SCALE.
function(fourdollar_test_timeout out seconds)
  math(EXPR scaled "${seconds} * ${FOURDOLLAR_TEST_TIMEOUT_SCALE}")
  set(${out} ${scaled} PARENT_SCOPE)
endfunction()

# The suites of what runs several threads at once, the ones TSan runs (ctest -L threads): the
# server (loop threads, the SQLite writer, the PostgreSQL listener), the stores and their
# contract and the write queue, the PostgreSQL outages, TLS on both sides, and the load generator
# (load threads, the control thread).
set(FOURDOLLAR_THREADED_SUITES
    ServerFixture Transports/SlowClient ConnectionTest CreatePostTest ReadRoutes Durability Metrics
    SqliteStore SqliteWriter PostgresStoreTest Sqlite/StoreContract Postgres/StoreContract
    EditRoutes HttpCaching FeedAndStyle EditorsScenario PostgresInstances StopModes/PostgresOutage
    PostgresHang Stores/KillNine LoadTest Recorder Stores/HostileTest TlsServe TlsLoad
    WriteQueueTopUp EditCache EditCacheInstances HtmlMigration IoUringServe)

# The suites whose tests take many seconds (kill -9 rounds, outages, whole bench runs): ctest -j
# starts them first (COST), so that they do not begin near the end of a stage and run alone.
set(FOURDOLLAR_LONG_SUITES
    Stores/KillNine StopModes/PostgresOutage Bench PostgresHang PostgresDiskFull Compare
    PostgresInstances Stores/HostileTest DistributedTest)

# The suites that load one CPU with busy loops to see which side of a bench runs out of it, or
# read how busy the generator kept its CPU: they run alone (RUN_SERIAL: the busy loops would
# slow every test beside them, and the tests beside them would take the generator's CPU) and get
# the label "cpu", which the sanitizer stages leave out (a sanitizer slows the server and the
# generator by different factors, which moves the side that runs out of CPU first).
set(FOURDOLLAR_CPU_SUITES BenchStarvation LoadCpu)

# The suites that read a process's resident memory against a limit: the label "memory", which
# the sanitizer stages leave out (a sanitizer's shadow memory and redzones multiply it).
set(FOURDOLLAR_MEMORY_SUITES LoadMemory)

# Tests that check timing per second and run alone (RUN_SERIAL), so that the tests beside them
# do not take the CPU at the moment they measure.
set(FOURDOLLAR_SERIAL_TESTS LoadTest.ArrivalRateIsWithinTwoPercent)

# fourdollar_discover_tests(TARGET [TIMEOUT seconds])
# Registers every GoogleTest test of TARGET with ctest (FOURDOLLAR_BINARY names the product
# binary). A test that calls GTEST_SKIP exits 0; the "[  SKIPPED ]" line of its output makes ctest
# count it as skipped rather than passed, so scripts/test.sh can list it (and fail under CI=true).
# Tests of FOURDOLLAR_THREADED_SUITES get the label "threads" once discovered.
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
  # Discovery names the tests only at build time, in ${target}_TESTS: ctest reads this file
  # after the discovered list, and labels them there.
  list(JOIN FOURDOLLAR_THREADED_SUITES "|" suites)
  list(JOIN FOURDOLLAR_LONG_SUITES "|" long_suites)
  list(JOIN FOURDOLLAR_CPU_SUITES "|" cpu_suites)
  list(JOIN FOURDOLLAR_MEMORY_SUITES "|" memory_suites)
  list(JOIN FOURDOLLAR_SERIAL_TESTS "|" serial_tests)
  set(labels ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${labels} "foreach(test IN LISTS ${target}_TESTS)\n"
                       "  if(test MATCHES \"^(${suites})[.]\")\n"
                       "    set_tests_properties(\"\${test}\" PROPERTIES LABELS threads)\n"
                       "  endif()\n"
                       "  if(test MATCHES \"^(${long_suites})[.]\")\n"
                       "    set_tests_properties(\"\${test}\" PROPERTIES COST 1000)\n"
                       "  endif()\n"
                       "  if(test MATCHES \"^(${cpu_suites})[.]\")\n"
                       "    set_tests_properties(\"\${test}\" PROPERTIES LABELS cpu RUN_SERIAL ON)\n"
                       "  endif()\n"
                       "  if(test MATCHES \"^(${memory_suites})[.]\")\n"
                       "    set_tests_properties(\"\${test}\" PROPERTIES LABELS memory)\n"
                       "  endif()\n"
                       "  if(test MATCHES \"^(${serial_tests})$\")\n"
                       "    set_tests_properties(\"\${test}\" PROPERTIES RUN_SERIAL ON)\n"
                       "  endif()\n"
                       "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels})
endfunction()
