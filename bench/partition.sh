#!/usr/bin/env bash
# Partitioned verification: one solver on the whole box vs --partition with 1 and 2 workers, on
# 784-100-10 boxes (MNIST sample, its first N non-zero pixels free within +-R), attack off.
# "split" columns disable enumeration of small parts (pure DRA-guided splitting + solver).
#   bench/partition.sh [timeout=120]
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-120}
DATA=../shared/data
NET=$DATA/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5
# sample N R Q eps output
TASKS=("3236 2 8 8 0.03234 9" "7098 30 3 4 0.3 all" "3236 6 6 8 0.05 9")
echo "timeout ${T}s per run; seconds (verdict); speed-up = 1 worker / 2 workers"
echo "| sample | free px | R | Q | eps | output | unpartitioned | split, 1 worker | split, 2 workers | speed-up | split+enumerate, 2 workers |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for t in "${TASKS[@]}"; do
  read -r s n r q eps out <<< "$t"
  box=$(bench/mnist_box.py $s $n $r)
  run() {
    (set +o pipefail; build/src/qeb-smt verify --model $NET --preset qebverif-mnist --bits $q --box "$box" --eps $eps \
      --output $out --attack 0 --timeout $T -q --json - "$@" 2>/dev/null | /usr/bin/python3 -c "
import json,sys; t=sys.stdin.read(); d=json.loads(t[t.index('\n{')+1:])
print(round(d.get('seconds', {}).get('total', $T), 1), d['verdict'])" || true)
  }
  read -r t0 v0 < <(run)
  read -r t1 v1 < <(run --partition --enumerate-limit 0)
  read -r t2 v2 < <(run --partition --enumerate-limit 0 --jobs 2)
  read -r t3 v3 < <(run --partition --jobs 2)
  speedup=$(/usr/bin/python3 -c "print(f'{$t1/max($t2,1e-9):.2f}')")
  echo "| $s | $n | $r | $q | $eps | $out | $t0 ($v0) | $t1 ($v1) | $t2 ($v2) | $speedup | $t3 ($v3) |"
done
