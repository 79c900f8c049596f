#!/usr/bin/env bash
# Regenerates the qeb-smt SMT-LIB family in this folder (see README.md) with `qeb-smt emit`.
#   smtlib/generate.sh [QEB_SMT binary = build/src/qeb-smt]
# eps is set either side of the true maximum error that `qeb-smt oracle` finds by exhaustive
# enumeration (x 0.999: sat, x 1.001: unsat); tasks DRA already proves write no file.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QEB=${1:-$ROOT/build/src/qeb-smt}
OUT=$ROOT/smtlib
DATA=$ROOT/../shared/data
PY=/usr/bin/python3
TIMEOUT=${TIMEOUT:-60}

TR="--model $ROOT/examples/tr-example/tr_example.nnet --quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --radius 3"
MNIST_NET=$DATA/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5

# mnist_box SAMPLE N R: the test image with its first N non-zero pixels free (+-R), as --box.
mnist_box() { "$ROOT/bench/mnist_box.py" "$@"; }

# eps_pair "TASK ARGS" K: "below above" around the exact max |QNN_K - DNN_K| (as n/d).
eps_pair() {
  $QEB oracle $1 --output "$2" --json - | $PY -c "
import json, sys
from fractions import Fraction
t = sys.stdin.read(); d = json.loads(t[t.index('\n{') + 1:])
m = Fraction(d['outputs'][0]['max_abs']['exact'])
print(m * Fraction(999, 1000), m * Fraction(1001, 1000))"
}

# emit NAME "TASK ARGS" OUTPUT EPS LOGIC [--incremental]
emit() {
  local name=$1 task=$2 output=$3 eps=$4 logic=$5 extra=${6:-}
  $QEB emit $task --output "$output" --eps "$eps" --logic "$logic" $extra --status-timeout "$TIMEOUT" \
    -o "$OUT/$name.smt2" -q --json - | $PY -c "
import json, sys
d = json.load(sys.stdin)
print(f\"{'$name':48s} {d['status'] if d['written'] else 'not written (DRA proves it)'}\")"
}

short() { case $1 in QF_LIRA) echo lira;; QF_BV) echo bv;; QF_BVLRA) echo bvlra;; ALL) echo all;; esac; }

rm -f "$OUT"/*.smt2

# 1. The technical report's 2-2-1 network, true max error 0.15216...: every logic, both sides.
read -r below above < <(eps_pair "$TR" 0)
for logic in QF_LIRA QF_BV QF_BVLRA ALL; do
  emit "tr_$(short $logic)_below" "$TR" 0 "$below" $logic
  emit "tr_$(short $logic)_above" "$TR" 0 "$above" $logic
done
emit tr_bvlra_incr_below "$TR" 0 "$below" QF_BVLRA --incremental
emit tr_bvlra_incr_above "$TR" 0 "$above" QF_BVLRA --incremental

# 2. QEBVerif's 784-100-10 MNIST network, a few free pixels of one test image: "Q sample pixels
# radius outputs incremental-eps". At Q = 4 DRA proves every "above" task, so only "below" is written.
# ("-": no incremental file; at Q = 8 a useful all-outputs eps leaves 20 hard directions.)
for spec in "4 5656 3 4 0,9 0.5" "4 3236 2 8 9 0.5" "8 5656 3 4 0 -" "8 3236 2 8 9 -"; do
  read -r q sample n r outputs incr_eps <<< "$spec"
  task="--model $MNIST_NET --preset qebverif-mnist --bits $q --box $(mnist_box $sample $n $r)"
  tag="mnist100_q${q}_s${sample}_p${n}"
  for k in ${outputs//,/ }; do
    read -r below above < <(eps_pair "$task" $k)
    for logic in QF_LIRA QF_BV QF_BVLRA; do
      emit "${tag}_o${k}_$(short $logic)_below" "$task" $k "$below" $logic
      emit "${tag}_o${k}_$(short $logic)_above" "$task" $k "$above" $logic
    done
  done
  # Every output at once, one scoped check per open direction (the incremental track's form).
  [ "$incr_eps" = - ] || emit "${tag}_all_bvlra_incr" "$task" all "$incr_eps" QF_BVLRA --incremental
done
# 3. The hard cores of a full-box task: the published QEBVerif MILP proves it in 709 s; qeb-smt's
# branch and bound leaves it open at 60 s. Eight nodes of branch and bound, then one scoped check
# per open subproblem (QF_LIRA, the encoding with the neuron terms the restrictions need).
emit mnist100_q4_s3236_full_o7_lira_sub8 "--model $MNIST_NET --preset qebverif-mnist --bits 4 --mnist $DATA/mnist \
  --sample 3236 --radius 3" 7 2 QF_LIRA "--subproblems 8"

ls "$OUT"/*.smt2 | wc -l
