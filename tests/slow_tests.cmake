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
# The heaviest cases under ASan (80-135 s each there on a 2-core machine): their code paths run
# under ASan in smaller cases too (real-network loading and enumeration, max-error on affine QNNs,
# neuron-split parts).
set_tests_properties(
  [==[verify:the QEBVerif 784-100-10 network on an enumerable box (three free pixels)]==]
  [==[verify:affine: max-error brackets the exact maximum, by the solver's bisection and by branch and bound]==]
  PROPERTIES LABELS "unit;verify;slow")
set_tests_properties(
  [==[partition:a neuron-split part hands on every violation: each lies in one of its children, also after a replay]==]
  PROPERTIES LABELS "unit;partition;slow")
# Timed within 3% (the watchdog's margin): under ASan on a loaded machine the work after the
# deadline (the rigorous bound over 660k non-zeros, the report) outlasts the margin. The normal
# build runs it.
set_tests_properties([==[cli:branch and bound ends at --timeout with unknown, the proven bound and the reason]==]
  PROPERTIES LABELS "unit;cli;slow")
