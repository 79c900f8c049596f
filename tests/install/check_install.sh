#!/usr/bin/env bash
# cmake --install into a temporary prefix, then a tiny CMake project finds the package, builds
# against the installed headers and libraries, and verifies the technical report's network.
#   check_install.sh BUILD_DIR SOURCE_DIR SANITIZE(ON|OFF)
set -euo pipefail
build=$1 source=$2 sanitize=$3
prefix=$(mktemp -d /tmp/qeb-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix/usr" >/dev/null
test -x "$prefix/usr/bin/qeb-smt"
"$prefix/usr/bin/qeb-smt" --version
test -s "$prefix/usr/share/man/man1/qeb-smt.1"
grep -q '^\.SS verify' "$prefix/usr/share/man/man1/qeb-smt.1"
test -s "$prefix/usr/share/doc/qeb-smt/result-schema.json"
test -f "$prefix/usr/include/qeb-smt/verify/verifier.h"
test -f "$prefix/usr/include/qeb-smt/encodings/encoding.h"
test ! -e "$prefix/usr/include/qeb-smt/cli"

flags=()
if [[ $sanitize == ON ]]; then
  # The libraries were built with the sanitizers: the consumer must link their runtimes.
  flags=(-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
  export ASAN_OPTIONS=detect_leaks=0
fi
cmake -S "$source/tests/install/consumer" -B "$prefix/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix/usr" "${flags[@]}" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
"$prefix/consumer/consumer" "$source/examples/tr-example/tr_example.nnet"
echo "install: OK"
