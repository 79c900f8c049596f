# Sourced by ./run before the sanitizer suite. The suppression and the allocator setting are built
# into the binaries (tests/sanitizer/defaults.cpp); here only: stop at the first report.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
