# Sourced by ./run before the sanitizer suite. The suppression and the allocator setting are built
# into the binaries (tests/sanitizer/defaults.cpp); here only: stop at the first report.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
# The randomized tests draw a quarter of their cases (tests/support/trials.h): the normal build
# has run them all, and under the sanitizers each costs several times as much.
export QEB_TEST_TRIAL_SCALE=0.25
