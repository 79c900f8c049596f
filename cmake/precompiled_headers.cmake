# Precompiled headers: Boost.Multiprecision (core/rational.h, behind most of the code) and the
# standard headers most files include take about 40% of compiling a typical source file. Each is
# parsed once per flag set instead of once per file.
#
# Two flag sets exist: the libraries' (as configured) and the tests' (-O1 -g1, see
# tests/CMakeLists.txt), and GCC rejects a precompiled header made with other optimisation
# flags, so there is one header target per set and every target reuses the matching one.
# GCC only: where it finds a precompiled header unusable it parses the headers as text (same
# program, just slower); clang instead fails on such mismatches (the fuzz build uses clang).
option(QEB_PCH "Precompile the headers most files include (GCC)" ON)

set(QEB_PCH_HEADERS
  <algorithm> <chrono> <cmath> <cstdint> <cstdio> <filesystem> <fstream> <functional> <map>
  <optional> <random> <sstream> <string> <vector>
  <boost/multiprecision/cpp_int.hpp> <nlohmann/json.hpp>)

# qeb_use_precompiled_headers(): give every library and executable defined so far under src/,
# encodings/ and tests/ the precompiled headers of its flag set. Called once, after those folders.
function(qeb_use_precompiled_headers)
  if(NOT QEB_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  foreach(flavour lib test)
    add_library(qeb_pch_${flavour} OBJECT ${CMAKE_SOURCE_DIR}/cmake/precompiled_headers.cpp)
    target_link_libraries(qeb_pch_${flavour} PRIVATE Boost::headers nlohmann_json::nlohmann_json)
    target_precompile_headers(qeb_pch_${flavour} PRIVATE ${QEB_PCH_HEADERS})
  endforeach()
  if(COMMAND qeb_test_compile_options)  # defined by tests/ (QEB_BUILD_TESTS)
    qeb_test_compile_options(qeb_pch_test)
  endif()
  foreach(dir src encodings tests tests/fuzz)
    if(NOT IS_DIRECTORY ${CMAKE_SOURCE_DIR}/${dir})
      continue()
    endif()
    get_property(targets DIRECTORY ${CMAKE_SOURCE_DIR}/${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      get_target_property(sources ${target} SOURCES)
      get_target_property(links ${target} LINK_LIBRARIES)
      # Code that links none of ours (the doctest main, the command runner) is compiled without
      # Boost's definitions, which makes GCC refuse the header: it gains nothing from it anyway.
      if(NOT type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$" OR NOT sources MATCHES "\\.cpp"
         OR NOT links MATCHES "qeb_|Boost")
        continue()
      endif()
      # Test code is compiled with the tests' flags (qeb_test_compile_options sets COMPILE_OPTIONS).
      get_target_property(options ${target} COMPILE_OPTIONS)
      if(options MATCHES "-O1")
        target_precompile_headers(${target} REUSE_FROM qeb_pch_test)
      else()
        target_precompile_headers(${target} REUSE_FROM qeb_pch_lib)
      endif()
    endforeach()
  endforeach()
endfunction()
