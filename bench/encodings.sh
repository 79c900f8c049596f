#!/usr/bin/env bash
# Which encoding each backend solves fastest, on growing boxes of the 784-100-10 network: MNIST
# samples with their first N non-zero pixels free (+-R), Q=4, all outputs, attack off (the solver
# must find the counterexample or the proof itself), stop at the first counterexample.
#   bench/encodings.sh [sizes=10,20,30] [R=3] [eps=0.3] [timeout=30]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-10,20,30} R=${2:-3} EPS=${3:-0.3} TIMEOUT=${4:-30}
DATA=../shared/data
CONFIGS="z3/bv-lra z3/bv-lra-nat z3/lira cvc5/bv-lra cvc5/lira"
echo "R=$R eps=$EPS Q=4 timeout=${TIMEOUT}s; cells: verdict and solve seconds"
printf "| sample | free pixels |"; for c in $CONFIGS; do printf " %s |" "$c"; done; printf "\n|---|---|"
for c in $CONFIGS; do printf -- "---|"; done; echo
for s in 3236 7098; do
  for n in ${SIZES//,/ }; do
    box=$(bench/mnist_box.py $s $n $R)
    printf "| %s | %s |" $s $n
    for c in $CONFIGS; do
      cell=$(set +o pipefail; build/src/qeb-smt verify --model $DATA/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5 --preset qebverif-mnist \
        --bits 4 --box "$box" --eps $EPS --output all --attack 0 --backend ${c%/*} --encoding ${c#*/} \
        --timeout $TIMEOUT -q --json - 2>/dev/null | /usr/bin/python3 -c "
import json,sys; t=sys.stdin.read(); d=json.loads(t[t.index('\n{')+1:])
print(d['verdict'], round(d.get('seconds', {}).get('solve', $TIMEOUT), 2))" || true)
      printf " %s |" "$cell"
    done
    echo
  done
done
