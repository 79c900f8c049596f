# Tests that take minutes under AddressSanitizer: labelled `slow`, so that ./run test's second pass
# (the sanitizer build, ctest -LE "mpi|slow") leaves them to the normal build. Included by ctest
# after the discovered doctest cases (tests/CMakeLists.txt); a renamed test fails here loudly.
set_tests_properties([==[bab:verify's engines agree with the oracle (lp and bab never contradict it, bab and auto decide)]==]
  PROPERTIES LABELS "unit;bab;slow")
# The SMT sweeps over every backend and encoding (30-65 s each in the normal build): the sanitizer
# pass keeps the smaller tests of the same encodings.
set_tests_properties(
  [==[verify:verdicts agree with the oracle on random small networks, either side of the true bound]==]
  [==[verify:affine: verdicts of every backend and encoding (bv: below) agree with enumeration, either side of the true bound]==]
  [==[verify:pinned encodings reproduce the exact outputs of affine QNNs (half to even, zero points, quantized outputs)]==]
  PROPERTIES LABELS "unit;verify;slow")
