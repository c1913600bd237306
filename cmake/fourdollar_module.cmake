# fourdollar_module(NAME name DEPS dep...)
# Builds every .cc in the calling folder except *_test.cc into the library fourdollar_<name>,
# and every *_test.cc into one GoogleTest binary <name>_test registered with ctest.
function(fourdollar_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           # Designated initializers may leave members at their defaults.
                                           -Wno-missing-field-initializers
                                           # g++ 12 reports false overlaps inside std::string at -O3
                                           # (GCC bug 105329); clang has no such warning.
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(FOURDOLLAR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(fourdollar_module)
  cmake_parse_arguments(ARG "" "NAME" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  set(lib fourdollar_${ARG_NAME})
  if(sources)
    add_library(${lib} STATIC ${sources})
    target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${lib} PUBLIC ${ARG_DEPS})
  else()
    add_library(${lib} INTERFACE)
    target_include_directories(${lib} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${lib} INTERFACE ${ARG_DEPS})
  endif()
  if(sources)
    fourdollar_warnings(${lib})
  endif()
  if(tests AND BUILD_TESTING)
    add_executable(${ARG_NAME}_test ${tests})
    target_link_libraries(${ARG_NAME}_test PRIVATE ${lib} ${ARG_TEST_DEPS} fourdollar_test_support
                                                   GTest::gtest_main)
    # Tests that read files of the repository (scenarios, samples) find them from here.
    target_compile_definitions(${ARG_NAME}_test PRIVATE FOURDOLLAR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    fourdollar_warnings(${ARG_NAME}_test)
    fourdollar_discover_tests(${ARG_NAME}_test)
  endif()
endfunction()
