// Built into every executable of a -DQEB_SANITIZE=ON build, so the settings hold wherever the
// binaries run: under ctest, in doctest's test discovery at build time, and when a test starts
// qeb-smt. The runtimes call these functions at start-up.

// Two suppressions: cvc5's CLN dependency allocates its number-theory tables once and never
// frees them; cvc5 1.0 itself now and then loses a few 20-24-byte blocks malloc'ed inside libcvc5
// when a check ends at its time limit (seen in the soak under ASan, only on runs with timeouts).
// A cvc5 object our code leaks is still reported: it is allocated by our frames, not libcvc5's.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcln.so\nleak:libcvc5.so\n"; }
// Without this, LeakSanitizer prints the suppression statistics on stderr at every exit, and tests
// that expect a quiet stderr from qeb-smt (-q) fail under the sanitizers only.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }

// A corrupt .h5 can make libhdf5 ask malloc for petabytes: glibc returns NULL (hdf5 then reports an
// error), ASan would abort instead. Undefined behaviour stops the program (also -fno-sanitize-recover).
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1:detect_stack_use_after_return=1"; }
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }
