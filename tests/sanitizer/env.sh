# Sourced by ./run before the sanitizer suite: fail on the first report, full stacks, and the one
# suppression (tests/sanitizer/lsan.supp). allocator_may_return_null: a corrupt .h5 can make libhdf5
# ask malloc for petabytes; glibc returns NULL and hdf5 reports an error, ASan would abort instead.
SANITIZER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$SANITIZER_DIR/lsan.supp:print_suppressions=0
