#!/usr/bin/env bash
# The QEBVerif comparison in one command: RQ_1 (DRA precision/time), RQ_2 (verification) and RQ_3
# (radius x eps sweep) beside the published results. Same scripts, two sizes:
#   bench/run.sh quick   # minutes: 3 samples per RQ_1 cell, RQ_2/RQ_3 subsets at 20 s per task
#   bench/run.sh full    # hours: the committed results (RQ_2: 500 tasks at 60 s, both cores)
# Results (CSV + Markdown) go to bench/results/ (full) or bench/results/quick/ (quick).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-quick}
./run setup   # installs what is missing and (re)builds build/src/qeb-smt
case "$SIZE" in
  quick)
    OUT=bench/results/quick
    bench/dra_rq1.py --samples 3 --nets P1,P2 --out $OUT
    bench/rq2.py --cells "P1:4,8;P2:4,8" --eps 1,2,4 --samples 3 --timeout 20 --out $OUT
    bench/rq2.py --cells "P1:4,8" --eps 1,2 --samples 3 --timeout 20 --output all --name rq2_all_outputs --out $OUT
    bench/rq3.py --bits 8 --radii 3,5 --eps 1.0,2.0 --samples 2 --timeout 20 --out $OUT
    bench/max_error.py --samples 2 --timeout 20 --out $OUT
    ;;
  full)
    OUT=bench/results
    bench/dra_rq1.py --samples 30 --out $OUT
    bench/rq2.py --timeout 60 --samples 10 --out $OUT --name rq2
    bench/rq2.py --cells "P1:4,6,8,10" --timeout 60 --samples 5 --output all --out $OUT --name rq2_all_outputs
    bench/rq3.py --timeout 60 --samples 5 --out $OUT
    bench/max_error.py --timeout 60 --samples 10 --out $OUT
    ;;
  *) echo "usage: bench/run.sh quick|full" >&2; exit 2 ;;
esac
