#!/usr/bin/env bash
# The all-outputs check solved three ways: one incremental solver asked "is any open direction
# violated?" (disjunctive, the default), one incremental solver with a check per direction
# (per-query), and a fresh solver per direction (fresh). MNIST samples with the first N non-zero
# pixels free (+-R); every output checked, attack off, all counterexamples collected.
#   bench/incremental.sh [N free pixels=3] [R=4] [eps=0.01] [Q=4] [backend=z3] [encoding=lira]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3} R=${2:-4} EPS=${3:-0.01} Q=${4:-4} BACKEND=${5:-z3} ENCODING=${6:-lira}
DATA=../shared/data
echo "N=$N R=$R eps=$EPS Q=$Q backend=$BACKEND encoding=$ENCODING"
printf "| sample | verdict | disjunctive s (calls) | per-query s (calls) | fresh s (calls) | fresh / disjunctive | fresh / per-query |\n|---|---|---|---|---|---|---|\n"
for s in 3236 5656 7219 7098 3825; do
  box=$(bench/mnist_box.py $s $N $R)
  run() { build/src/qeb-smt verify --model $DATA/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5 --preset qebverif-mnist \
      --bits $Q --box "$box" --eps $EPS --output all --attack 0 --all-counterexamples --backend $BACKEND \
      --encoding $ENCODING --timeout 120 -q --json - --strategy "$1" | /usr/bin/python3 -c "
import json,sys; t=sys.stdin.read(); d=json.loads(t[t.index('\n{')+1:])
print(d['verdict'], d.get('solver_calls', 0), d.get('seconds', {}).get('solve', 120))"; }
  read -r v1 c1 t1 < <(run disjunctive || true)
  read -r v2 c2 t2 < <(run per-query || true)
  read -r v3 c3 t3 < <(run fresh || true)
  /usr/bin/python3 -c "print(f'| $s | $v1/$v2/$v3 | {$t1:.2f} ($c1) | {$t2:.2f} ($c2) | {$t3:.2f} ($c3) | {$t3/max($t1,1e-9):.2f} | {$t3/max($t2,1e-9):.2f} |')"
done
