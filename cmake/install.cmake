# `cmake --install`: the qeb-smt executable, its manual page (generated from the help texts), the
# result schema, and a CMake package (find_package(qeb_smt)) exporting every pipeline library as
# qeb_smt::<stage> (qeb_core -> qeb_smt::core, qeb_verify -> qeb_smt::verify, ...) with the public
# headers under one include prefix, include/qeb-smt/<stage>/*.h (#include "verify/verifier.h").
#
# The libraries are found, not listed: every static library defined in src/ and encodings/ but the
# command-line front end (qeb_cli), so a new stage is exported without editing this file. A new
# third-party dependency of a library needs a find_dependency in cmake/qeb_smtConfig.cmake.in (the
# install test, label "install", fails until it has one).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(QEB_INCLUDE_PREFIX ${CMAKE_INSTALL_INCLUDEDIR}/qeb-smt)
set(QEB_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/qeb_smt)

set(QEB_EXPORTED_LIBRARIES)
foreach(dir ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/encodings)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY" AND NOT target STREQUAL "qeb_cli")
      list(APPEND QEB_EXPORTED_LIBRARIES ${target})
    endif()
  endforeach()
endforeach()

foreach(target IN LISTS QEB_EXPORTED_LIBRARIES)
  # In the build tree a library's headers are found in the source tree; installed, under the prefix.
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(interface_dirs "$<INSTALL_INTERFACE:${QEB_INCLUDE_PREFIX}>")
  if(dirs)
    foreach(d IN LISTS dirs)
      if(d MATCHES "^\\$<")
        list(APPEND interface_dirs "${d}")
      else()
        list(APPEND interface_dirs "$<BUILD_INTERFACE:${d}>")
      endif()
    endforeach()
  endif()
  string(REGEX REPLACE "^qeb_" "" export_name ${target})
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${interface_dirs}" EXPORT_NAME ${export_name})
endforeach()

install(TARGETS qeb-smt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${QEB_EXPORTED_LIBRARIES} EXPORT qeb_smt_targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/src/ DESTINATION ${QEB_INCLUDE_PREFIX}
        FILES_MATCHING PATTERN "*.h" PATTERN "cli" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/encodings/ DESTINATION ${QEB_INCLUDE_PREFIX}/encodings FILES_MATCHING PATTERN "*.h")
install(EXPORT qeb_smt_targets NAMESPACE qeb_smt:: DESTINATION ${QEB_PACKAGE_DIR} FILE qeb_smtTargets.cmake)

# Dependencies the package must find for the exported libraries (static: their private ones too).
set(QEB_PACKAGE_NEEDS_CLP OFF)
if(TARGET qeb_lp)  # the LP stage links COIN-OR CLP through pkg-config
  set(QEB_PACKAGE_NEEDS_CLP ON)
endif()

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/qeb_smtConfig.cmake.in ${CMAKE_BINARY_DIR}/qeb_smtConfig.cmake
                              INSTALL_DESTINATION ${QEB_PACKAGE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/qeb_smtConfigVersion.cmake VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/qeb_smtConfig.cmake ${CMAKE_BINARY_DIR}/qeb_smtConfigVersion.cmake
        DESTINATION ${QEB_PACKAGE_DIR})

# The manual page: `qeb-smt --man` writes it from the same help texts --help prints.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/qeb-smt.1
                   COMMAND $<TARGET_FILE:qeb-smt> --man > ${CMAKE_BINARY_DIR}/qeb-smt.1
                   DEPENDS qeb-smt COMMENT "Writing the manual page qeb-smt.1")
add_custom_target(qeb_man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/qeb-smt.1)
install(FILES ${CMAKE_BINARY_DIR}/qeb-smt.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/docs/result-schema.json ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
