#!/usr/bin/env bash
# The soak test: N random tasks (default 10,000; a tenth of them max-error tasks, MAX_ERROR=F for
# another fraction) against the exhaustive oracle, on 2 threads.
# Builds nothing (first: ninja -C build qeb-soak). Done when it reports 0 disagreements.
#   bench/soak.sh [tasks=10000] [extra qeb-soak options, e.g. --seed 2]
# The JSON summary goes to $BUILD/soak.json; OUT=bench/results/soak.json records a run (a quick
# check no longer overwrites the committed one).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
BUILD=${BUILD:-build}  # another build directory: BUILD=build-x bench/soak.sh
OUT=${OUT:-$BUILD/soak.json}
shift $(( $# > 0 ? 1 : 0 ))
status=0
"$BUILD"/tests/qeb-soak --tasks "$N" --jobs 2 --max-error "${MAX_ERROR:-0.1}" --json "$OUT" "$@" || status=$?
OUT="$OUT" /usr/bin/python3 - <<'PY'
import json, os
d = json.load(open(os.environ["OUT"]))
print(f"soak (seed {d['seed']}): {d['tasks']} tasks in {d['seconds']:.0f} s ({d['tasks_per_second']:.2f}/s): "
      f"{d['verified']} verified, {d['falsified']} falsified, {d['unknown']} unknown, "
      f"{d.get('closed', 0)} max-error brackets closed, {d.get('open', 0)} open, "
      f"{d['option_errors']} option errors, {len(d['late_tasks'])} late, {d['overruns']} overruns, {d['disagreements']} disagreements")
for reason, n in sorted(d["unknown_reasons"].items(), key=lambda x: -x[1]):
    print(f"  unknown: {n:5d}  {reason}")
print("| config | tasks | verified | falsified | unknown | closed | open | disagreements | verifier s |")
print("|---|---|---|---|---|---|---|---|---|")
for key, c in sorted(d.get("configs", {}).items()):
    print(f"| {key} | {c['tasks']} | {c['verified']} | {c['falsified']} | {c['unknown']} | {c.get('closed', 0)} | "
          f"{c.get('open', 0)} | {c['disagreements']} | {c['seconds']:.0f} |")
for t in d["late_tasks"]:
    print(f"  late (past the {d['timeout']:g} s budget): task {t['task']}, {t['seconds']:.1f} s, {t['config']}, {t['status']}")
if d["disagreeing_tasks"]:
    print("disagreeing tasks (replay: build/tests/qeb-soak --seed", d["seed"], "--only I):", d["disagreeing_tasks"])
PY
exit $status
