#!/usr/bin/python3
"""Runs the bad-input corpus (cases.tsv) against the qeb-smt binary: every case must fail cleanly.

usage: run_cases.py BINARY CORPUS_DIR FIXTURE_DIR DATA_DIR TR_NNET [NAME_SUBSTRING]

Each case must, within 10 s: exit with its expected code; print its expected phrase on stderr; name
the file at fault (the optional fifth column) on stderr; and show no crash signature (a signal,
"terminate called", a failed assertion, a sanitizer report). One line per failure, then a summary;
the exit code is 1 if any case failed.

cases.tsv: tab-separated `name, arguments, exit code, phrase[, file]`; `#` starts a comment line.
Placeholders: {CORPUS} (this directory), {FIXTURES} (the build's fixture directory, bad files in
bad/), {DATA} (the shared data directory), {TR} (examples/tr-example/tr_example.nnet), and {TRQ},
short for `--model {TR} --quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15`.
"""
import os
import shlex
import subprocess
import sys

TIMEOUT = 10
CRASH_SIGNS = ["terminate called", "Assertion", "Segmentation", "ERROR: AddressSanitizer",
               "runtime error:", "core dumped", "qeb-smt: internal error"]


def read_cases(path):
    cases = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) not in (4, 5):
                sys.exit("%s:%d: expected 4 or 5 tab-separated columns, found %d" % (path, number, len(cols)))
            cases.append({"name": cols[0], "args": cols[1], "exit": int(cols[2]), "phrase": cols[3],
                          "file": cols[4] if len(cols) == 5 else ""})
    return cases


def expand(text, places):
    for key, value in places.items():
        text = text.replace("{" + key + "}", value)
    return text


def run_case(binary, case, places):
    """The list of problems of one case (empty if it passed)."""
    args = shlex.split(expand(case["args"], places))
    try:
        r = subprocess.run([binary] + args, capture_output=True, text=True, errors="replace", timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ["no answer within %d s (a hang, or work before validating the input)" % TIMEOUT]
    problems = []
    both = r.stdout + r.stderr
    if r.returncode < 0:
        problems.append("killed by signal %d" % -r.returncode)
    problems += ["crash signature '%s'" % sign for sign in CRASH_SIGNS if sign in both]
    if r.returncode != case["exit"]:
        problems.append("exit code %d, expected %d" % (r.returncode, case["exit"]))
    if case["phrase"] not in r.stderr:
        where = " (it is on stdout)" if case["phrase"] in r.stdout else ""
        problems.append("stderr lacks '%s'%s" % (case["phrase"], where))
    if case["file"] and expand(case["file"], places) not in r.stderr:
        problems.append("stderr does not name the file %s" % expand(case["file"], places))
    if problems:
        first = next((l for l in r.stderr.splitlines() if l.strip()), "(empty)")
        problems.append("stderr: " + first[:300])
    return problems


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    binary, corpus, fixtures, data, tr = sys.argv[1:6]
    only = sys.argv[6] if len(sys.argv) == 7 else ""
    places = {"CORPUS": corpus, "FIXTURES": fixtures, "DATA": data, "TR": tr}
    places = {"TRQ": "--model %s --quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15" % tr, **places}
    cases = [c for c in read_cases(os.path.join(corpus, "cases.tsv")) if only in c["name"]]
    names = [c["name"] for c in cases]
    if len(set(names)) != len(names):
        sys.exit("cases.tsv: duplicate case names")
    failed = 0
    for case in cases:
        problems = run_case(binary, case, places)
        if problems:
            failed += 1
            print("FAIL %s: %s" % (case["name"], "; ".join(problems)))
            print("     qeb-smt %s" % expand(case["args"], places))
    print("bad inputs: %d cases, %d passed, %d failed" % (len(cases), len(cases) - failed, failed))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
