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

# qeb_use_precompiled_headers(): give every library and executable defined so far in the folders
# below the top level the precompiled headers of its flag set. Called once, after those folders.
function(qeb_use_precompiled_headers)
  if(NOT QEB_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  set(flavours lib)
  if(COMMAND qeb_test_compile_options)  # defined by tests/ (QEB_BUILD_TESTS)
    list(APPEND flavours test)
  endif()
  foreach(flavour IN LISTS flavours)
    add_library(qeb_pch_${flavour} OBJECT ${CMAKE_SOURCE_DIR}/cmake/precompiled_headers.cpp)
    target_link_libraries(qeb_pch_${flavour} PRIVATE Boost::headers nlohmann_json::nlohmann_json)
    target_precompile_headers(qeb_pch_${flavour} PRIVATE ${QEB_PCH_HEADERS})
    if(flavour STREQUAL "test")
      qeb_test_compile_options(qeb_pch_test)
    endif()
  endforeach()
  # Every folder CMake has read (src, encodings, tests and theirs, as configured).
  set(dirs ${CMAKE_SOURCE_DIR})
  set(i 0)
  list(LENGTH dirs n)
  while(i LESS n)
    list(GET dirs ${i} dir)
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${subdirs})
    list(LENGTH dirs n)
    math(EXPR i "${i} + 1")
  endwhile()
  list(REMOVE_AT dirs 0)  # the top level holds only the header targets and the sanitizer defaults
  foreach(dir IN LISTS dirs)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
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
      # A source with flags of its own (dra/matrix.cpp: -O3) parses its headers itself: GCC 12
      # crashed (internal compiler error) compiling it -O3 against a header precompiled -O1 in
      # the sanitizer build.
      foreach(source IN LISTS sources)
        cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${dir})
        get_source_file_property(own_options ${source} DIRECTORY ${dir} COMPILE_OPTIONS)
        if(own_options)
          set_source_files_properties(${source} DIRECTORY ${dir} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
        endif()
      endforeach()
      get_target_property(test_code ${target} QEB_TEST_CODE)  # set by qeb_test_compile_options
      if(test_code)
        target_precompile_headers(${target} REUSE_FROM qeb_pch_test)
      else()
        target_precompile_headers(${target} REUSE_FROM qeb_pch_lib)
      endif()
    endforeach()
  endforeach()
endfunction()
