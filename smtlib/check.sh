#!/usr/bin/env bash
# Solves SMT-LIB files with the z3 and cvc5 binaries and checks every answer against the file's
# recorded status(es): the header's for a single check-sat, the one before each check-sat of an
# incremental file (cvc5 gets --incremental for files with push). Fails on a parse error, on any
# answer contradicting a recorded sat/unsat, and on a decided status neither solver reproduces.
#   smtlib/check.sh [FILE.smt2 ...]     (default: every file in smtlib/; TIMEOUT=seconds, default 60)
set -uo pipefail
cd "$(dirname "$0")"
TIMEOUT=${TIMEOUT:-60}
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.smt2)
failures=0

# The answer lines of a solver run, space-separated; z3's "unsupported" (for QF_BVLRA) dropped,
# a timeout shown as "timeout", anything else (errors) kept so that it fails the comparison.
run() {
  local out rc
  out=$(timeout "$TIMEOUT" "$@" 2>&1); rc=$?
  [ $rc -eq 124 ] && { echo timeout; return; }
  echo "$out" | grep -v '^unsupported$' | grep -v '^; ignoring unsupported logic' | tr '\n' ' ' | sed 's/ $//'
}

printf "%-48s %-16s %-22s %-22s %s\n" file recorded z3 cvc5 verdict
for f in "${files[@]}"; do
  # Statuses: the one before each (check-sat); for a single check the header's is that one.
  recorded=$(awk '/^\(set-info :status /{s=$3; sub(/\)$/, "", s)} /^\(check-sat\)/{printf "%s ", s}' "$f" | sed 's/ $//')
  inc=(); grep -q '^(push' "$f" && inc=(--incremental)
  start=$(date +%s.%N); z3_answer=$(run z3 "$f"); z3_time=$(awk "BEGIN{print $(date +%s.%N) - $start}")
  start=$(date +%s.%N); cvc5_answer=$(run cvc5 "${inc[@]}" "$f"); cvc5_time=$(awk "BEGIN{print $(date +%s.%N) - $start}")
  verdict=ok
  read -ra want <<< "$recorded"
  for solver in z3 cvc5; do
    answer=${solver}_answer
    read -ra got <<< "${!answer}"
    if [ "${got[0]:-}" != timeout ] && [ ${#got[@]} -ne ${#want[@]} ]; then verdict="FAIL ($solver: ${!answer})"; fi
    for i in "${!want[@]}"; do
      g=${got[$i]:-}
      case "$g" in sat|unsat|unknown|timeout|"") ;; *) verdict="FAIL ($solver: ${!answer})";; esac
      if [ "${want[$i]}" != unknown ] && { [ "$g" = sat ] || [ "$g" = unsat ]; } && [ "$g" != "${want[$i]}" ]; then
        verdict="FAIL ($solver answers $g, recorded ${want[$i]})"
      fi
    done
  done
  # Each decided status must be reproduced by at least one solver.
  read -ra z <<< "$z3_answer"; read -ra c <<< "$cvc5_answer"
  for i in "${!want[@]}"; do
    if [ "${want[$i]}" != unknown ] && [ "${z[$i]:-}" != "${want[$i]}" ] && [ "${c[$i]:-}" != "${want[$i]}" ]; then
      [ "$verdict" = ok ] && verdict="FAIL (check $((i + 1)): ${want[$i]} reproduced by neither solver)"
    fi
  done
  [ "$verdict" = ok ] || failures=$((failures + 1))
  printf "%-48s %-16s %-22s %-22s %s\n" "$(basename "$f")" "$recorded" "$z3_answer ($(printf %.1f "$z3_time")s)" \
    "$cvc5_answer ($(printf %.1f "$cvc5_time")s)" "$verdict"
done
echo "${#files[@]} file(s), $failures failure(s)"
[ $failures -eq 0 ]
