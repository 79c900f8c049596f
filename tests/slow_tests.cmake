# Tests that take minutes under AddressSanitizer: labelled `slow`, so that ./run test's second pass
# (the sanitizer build, ctest -LE "mpi|slow") leaves them to the normal build. Included by ctest
# after the discovered doctest cases (tests/CMakeLists.txt); a renamed test fails here loudly.
set_tests_properties([==[bab:verify's engines agree with the oracle (lp and bab never contradict it, bab and auto decide)]==]
  PROPERTIES LABELS "unit;bab;slow")
