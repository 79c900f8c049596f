#!/usr/bin/env bash
# Fuzzes every loader with libFuzzer for a fixed number of executions (default 1,000,000 each) and
# reports executions, coverage and any crash: bench/fuzz.sh [RUNS] [target...]
# Builds a clang + ASan/UBSan + libFuzzer tree in build-fuzz/ (needs clang and its libFuzzer
# runtime: Debian's clang package). The seed corpus is tests/fuzz/corpus/<target> plus, for the
# model formats, the generated fixtures; the grown corpus stays in build-fuzz/corpus/<target>.
# A crashing input is saved as tests/fuzz/regressions/<target>/<name> (commit it: the
# "fuzz corpus" tests replay it from then on) and the run ends with exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-1000000}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(nnet onnx onnx_qnn h5 qnn quant_spec box_spec vnnlib)
BUILD=$ROOT/build-fuzz
OUT=$ROOT/bench/results/fuzz.md

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQEB_FUZZ=ON \
  -DQEB_MPI=OFF -DQEB_SHARED_DATA="$(cd "${QEB_DATA_DIR:-$ROOT/../shared/data}" && pwd)" >/dev/null
ninja -C "$BUILD" qeb_fixtures $(printf 'fuzz_%s ' "${TARGETS[@]}") fuzz_replay_h5

status=0
{
  echo "# libFuzzer runs (bench/fuzz.sh $RUNS), $(date -u +%Y-%m-%d)"
  echo
  echo "| target | executions | seconds | exec/s | coverage (edges) | corpus | crashes |"
  echo "|---|---|---|---|---|---|---|"
} > "$OUT.tmp"
for t in "${TARGETS[@]}"; do
  corpus=$BUILD/corpus/$t
  rm -rf "$BUILD/crashes/$t"
  mkdir -p "$corpus" "$BUILD/crashes/$t"
  [[ -d tests/fuzz/corpus/$t ]] && cp -n tests/fuzz/corpus/$t/* "$corpus/" 2>/dev/null || true
  case $t in nnet|onnx|onnx_qnn|h5)  # small generated fixtures of every format as extra seeds
    find "$BUILD/tests/fixtures" -type f -size -24k ! -name stamp -exec cp -n {} "$corpus/" \; ;;
  esac
  leaks=1
  # libhdf5 itself leaks on some corrupt files (a bare H5Fopen + H5Fclose + H5close of
  # tests/fuzz/regressions/h5/vlen-string-read-fails leaks 424 bytes), and its frames cannot be
  # told from ours: leak checks are off for h5, memory-safety checks stay on.
  [[ $t == h5 ]] && leaks=0
  # libhdf5 1.10 itself dereferences NULL on some corrupt files; qeb-smt reads .h5 in a child
  # process first, but this binary reads in-process (so that libFuzzer sees libhdf5's coverage).
  # h5 therefore runs in fork mode and goes on after a crash; each crashing input is then replayed
  # with isolation (fuzz_replay_h5) and only a crash that qeb-smt does not turn into a clean error
  # fails the run.
  mode=()
  [[ $t == h5 ]] && mode=(-fork=1 -ignore_crashes=1)
  log=$BUILD/fuzz_$t.log
  start=$(date +%s.%N)
  set +e
  # A corrupt size makes libhdf5 ask malloc for petabytes; glibc returns NULL (hdf5 reports an
  # error), ASan by default aborts instead: let it return NULL like the real allocator.
  ASAN_OPTIONS=detect_leaks=$leaks:allocator_may_return_null=1 \
    "$BUILD/tests/fuzz/fuzz_$t" "${mode[@]}" -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -detect_leaks=$leaks \
    -artifact_prefix="$BUILD/crashes/$t/" "$corpus" > "$log" 2>&1
  rc=$?
  set -e
  secs=$(python3 -c "import time; print(f'{time.time() - $start:.0f}')")
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' ||
          grep -o 'fuzzed for [0-9]* iterations' "$log" | grep -o '[0-9]*' || echo "?")  # fork mode
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  crashes=0 isolated=0
  for f in "$BUILD/crashes/$t"/*; do
    [[ -f $f ]] || continue
    crashes=$((crashes + 1))
    mkdir -p tests/fuzz/regressions/$t
    cp "$f" tests/fuzz/regressions/$t/
    if [[ $t == h5 ]] && "$BUILD/tests/fuzz/fuzz_replay_h5" "$f" >/dev/null 2>&1; then
      isolated=$((isolated + 1))
    fi
  done
  ((rc == 0 && crashes == isolated)) || status=1
  ((isolated)) && crashes="$crashes in libhdf5, each a clean error in qeb-smt"
  echo "| $t | $execs | $secs | $rate | $cov | $(ls "$corpus" | wc -l) | $crashes$( ((rc)) && echo " (exit $rc, see $log)") |" >> "$OUT.tmp"
  echo "fuzz_$t: $execs executions in ${secs}s, $crashes crash(es)" >&2
done
mv "$OUT.tmp" "$OUT"
cat "$OUT"
exit $status
