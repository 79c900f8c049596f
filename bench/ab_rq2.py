#!/usr/bin/python3
"""Two qeb-smt binaries side by side on RQ_2 tasks: an A/B of an engine change.

Tasks: the rows of an RQ_2 results file (default bench/results/rq2.csv) decided by the stages
named in --how (default attack, lp, bab), without those that took more than --max-seconds there.
Each task runs with A (the baseline) and then B, one process at a time (`verify --engine auto
--threads 2`, the predicted output, radius 3, --timeout), so both meet the same machine state.
Prints per task and per stage the wall times, their ratio B/A (median, min, max) and any verdict
that differs; writes NAME.md to --out.

  bench/ab_rq2.py --a OLD/qeb-smt --b NEW/qeb-smt [--how attack,lp,bab] [--max-seconds 8]
                  [--results bench/results/rq2.csv] [--timeout 60] [--name ab_rq2] [--out bench/results]
"""
import argparse, collections, csv, os, platform, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--a", required=True, help="baseline binary")
    p.add_argument("--b", required=True, help="binary under test")
    p.add_argument("--how", default="attack,lp,bab", help="stages (the results file's `how`) whose tasks run")
    p.add_argument("--max-seconds", type=float, default=8, help="skip tasks that took longer in the results file")
    p.add_argument("--results", default=os.path.join(q.ROOT, "bench", "results", "rq2.csv"))
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--name", default="ab_rq2")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    stages = a.how.split(",")
    with open(a.results) as f:
        tasks = [r for r in csv.DictReader(f) if r["how"] in stages and float(r["seconds"]) <= a.max_seconds]
    tasks.sort(key=lambda r: float(r["seconds"]))
    rows = []
    for n, t in enumerate(tasks, 1):
        args = (t["net"], int(t["Q"]), int(t["sample"]), int(t["eps"]))
        runs = [q.verify_task(binary, *args, timeout=a.timeout, engine="auto", threads=2) for binary in (a.a, a.b)]
        rows.append((t, runs))
        print(f"[{n}/{len(tasks)}] {t['net']} Q={t['Q']} eps={t['eps']} sample {t['sample']} ({t['how']}): "
              f"A {runs[0]['verdict']} {runs[0]['wall']:.2f} s, B {runs[1]['verdict']} {runs[1]['wall']:.2f} s",
              file=sys.stderr)
    md = [f"# A/B on RQ_2 tasks: {a.b} (B) against {a.a} (A)", "",
          f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}; one process at a time, "
          f"A then B per task; `verify --engine auto --threads 2`, predicted output, radius 3, {a.timeout:g} s. "
          f"Tasks: the rows of {os.path.relpath(a.results, q.ROOT)} decided by {', '.join(stages)} in at most "
          f"{a.max_seconds:g} s there. Times: wall time of the whole process.", "",
          "| decided by | tasks | A s (sum) | B s (sum) | B/A median | min | max | verdicts differing |",
          "|---|---|---|---|---|---|---|---|"]
    by = collections.defaultdict(list)
    for t, runs in rows:
        by[t["how"]].append(runs)
    for how in stages:
        rs = by.get(how, [])
        if not rs:
            continue
        ratios = [r[1]["wall"] / r[0]["wall"] for r in rs]
        md.append(f"| {how} | {len(rs)} | {sum(r[0]['wall'] for r in rs):.1f} | {sum(r[1]['wall'] for r in rs):.1f} | "
                  f"{statistics.median(ratios):.2f} | {min(ratios):.2f} | {max(ratios):.2f} | "
                  f"{sum(r[0]['verdict'] != r[1]['verdict'] for r in rs)} |")
    md += ["", "| net | Q | eps | sample | decided by | A verdict | A s | B verdict | B s | B/A |", "|---|---|---|---|---|---|---|---|---|---|"]
    for t, (ra, rb) in rows:
        md.append(f"| {t['net']} | {t['Q']} | {t['eps']} | {t['sample']} | {t['how']} | {ra['verdict']} | {ra['wall']:.2f} | "
                  f"{rb['verdict']} | {rb['wall']:.2f} | {rb['wall'] / ra['wall']:.2f} |")
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, a.name + ".md")
    with open(path, "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md[:len(stages) + 8]))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
