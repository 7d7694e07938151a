# Helpers that give every daytrader target the same standard, warnings and include root.

set(DAYTRADER_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)

function(daytrader_target_options target)
  target_compile_options(${target} PRIVATE ${DAYTRADER_WARNINGS})
  if(DAYTRADER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(DAYTRADER_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# daytrader_add_library(<area> SOURCES a.cpp b.cpp DEPS other_targets...)
# Creates the static library daytrader_<area>; includes are rooted at src/.
function(daytrader_add_library area)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target daytrader_${area})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  daytrader_target_options(${target})
endfunction()

# daytrader_add_test(<name> SOURCES a_test.cpp DEPS libs...)
# One GoogleTest binary per area, registered with ctest test by test.
function(daytrader_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      DAYTRADER_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  daytrader_target_options(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
