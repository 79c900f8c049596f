#!/usr/bin/python3
"""`qeb-smt verify` on QEBVerif's RQ_2 tasks beside the published DRA and DRA+MILP results.

Tasks: network x Q x eps x the first N sample ids of each RQ_2 cell, radius 3, the predicted class
(as the artifact) or every output (--output all). Per task: our verdict, how it was decided (DRA,
attack, solver) and wall time, next to the published verdict and time. Tables: counts of
proved/falsified/unknown per cell, ours vs published on the same tasks, and every task where the
verdicts differ with its explanation. Writes CSV + Markdown to --out.

  bench/rq2.py [--cells P1:4,6,8,10;P2:4,6,8,10;P4:4,8] [--eps 1,2,4,6,8] [--samples 10]
               [--timeout 60] [--jobs 1] [--threads 2] [--engine auto] [--output predicted|all]
               [--backend z3] [--encoding lira] [--only FILE.csv] [--compare LABEL=FILE.csv] [--replot]
               [--name rq2] [--out bench/results]

--only FILE.csv runs just the tasks listed there (net,Q,eps,sample columns, e.g. the unknown rows of an
earlier results file, filtered with --only-verdict unknown); the others are taken from that file.
The cactus plot (tasks decided vs time, ours beside the published times) is written as NAME_cactus.svg
when matplotlib is installed (Debian python3-matplotlib; `./run bench` installs it).
"""
import argparse, collections, os, platform, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q

PUB = {"True": "verified", "False": "falsified", "NA": "unknown"}


def parse_cells(text):
    cells = []
    for part in text.split(";"):
        net, bits = part.split(":")
        cells += [(net.strip(), int(b)) for b in bits.split(",")]
    return cells


def explain(ours, pub_milp, pub_dra, timeout, all_outputs=False):
    """Why our verdict differs from the published DRA+MILP one (None when they agree)."""
    pv, ps = pub_milp
    mine = ours["verdict"]
    if PUB.get(pv, pv) == mine:
        return None
    if all_outputs and mine == "falsified" and pv == "True":
        return "expected: every output checked, the published run checked the predicted class only (B4)"
    if mine == "unknown":
        if pub_dra[0] == "Proved":
            return "ours timed out; published DRA proved it with the artifact's unsound rounding (B1/B5), sound DRA does not"
        return f"ours timed out at {timeout:g} s" + (f"; published MILP took {ps:.0f} s" if ps else "")
    if pv == "NA":
        return f"published timed out (3600 s); qeb-smt decided it ({ours['how']})"
    if mine == "falsified":
        return ("CONFLICT: our counterexample replays exactly in the exact semantics; published True "
                "(suspect artifact rounding B5/B6/B9)")
    if mine == "verified":
        return "CONFLICT: published found a counterexample that qeb-smt proves cannot exist (suspect B3/B8/B9)"
    return f"ours: {mine} (exit {ours['exit']}) {ours['error']}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", default="P1:4,6,8,10;P2:4,6,8,10;P4:4,8")
    p.add_argument("--eps", default="1,2,4,6,8")
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--jobs", type=int, default=1, help="tasks at a time (each may use --threads cores)")
    p.add_argument("--threads", type=int, default=2, help="branch-and-bound threads per task")
    p.add_argument("--engine", default="auto", help="verify --engine (auto, dra, lp, bab, smt)")
    p.add_argument("--only", help="results csv of an earlier run: rerun only its tasks with --only-verdict")
    p.add_argument("--only-verdict", default="unknown")
    p.add_argument("--output", default="predicted", choices=["predicted", "all"])
    p.add_argument("--backend", default="z3")
    p.add_argument("--encoding", default="lira")
    p.add_argument("--extra", default="", help="more verify arguments, e.g. \"--partition --split neurons --jobs 2\"")
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--compare", action="append", metavar="LABEL=FILE.csv",
                   help="another results csv of this script to draw in the cactus plot (repeatable)")
    p.add_argument("--replot", action="store_true", help="only redraw the cactus plot from NAME.csv in --out")
    p.add_argument("--name", default="rq2")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    rows = q.read_csv("RQ_2.csv")
    tasks = []
    for net, bits in parse_cells(a.cells):
        pub = q.published_rq2(rows, net, bits)
        for eps in a.eps.split(","):
            for sample in list(pub.get(eps, {}))[: a.samples]:
                tasks.append((net, bits, eps, sample, pub[eps][sample]))
    # --only: the earlier run's rows, of which only those with --only-verdict are run again.
    earlier = read_results(a.only) if a.only else {}
    if a.replot:
        cactus(a, tasks, read_results(os.path.join(a.out, a.name + ".csv")))
        return 0
    rerun = [t for t in tasks if not earlier or earlier.get(t[:4], {}).get("verdict") == a.only_verdict]
    print(f"{len(rerun)} of {len(tasks)} tasks to run, {a.jobs} at a time, {a.threads} threads each, {a.timeout:g} s, "
          f"engine {a.engine}, output {a.output}", file=sys.stderr, flush=True)
    jobs = [lambda t=t: q.verify_task(a.binary, t[0], t[1], t[3], t[2], 3, a.output, a.backend, a.encoding, a.timeout,
                                      a.engine, a.threads, a.extra.split())
            for t in rerun]
    done, total = q.run_pool(a.jobs, jobs, lambda i, r: f"{rerun[i][0]} Q={rerun[i][1]} eps={rerun[i][2]} sample "
                                                         f"{rerun[i][3]}: {r['verdict']} ({r['how']}) {r['wall']:.1f}s")
    results = dict(earlier)
    results.update({t[:4]: r for t, r in zip(rerun, done)})
    tasks = [t for t in tasks if t[:4] in results]  # an --only file may list a subset

    per_task = [["net", "Q", "eps", "sample", "verdict", "how", "seconds", "terms", "pub_dra", "pub_dra_s",
                 "pub_milp", "pub_milp_s", "pub_diff", "pub_diff_s", "explanation"]]
    cells = collections.OrderedDict()
    diffs = []
    for net, bits, eps, sample, pub in tasks:
        r = results[(net, bits, eps, sample)]
        why = explain(r, pub["milp"], pub["dra"], a.timeout, a.output == "all")
        per_task.append([net, bits, eps, sample, r["verdict"], r["how"], f"{r['wall']:.2f}", r["terms"],
                         pub["dra"][0], pub["dra"][1], pub["milp"][0], pub["milp"][1], pub["diff"][0], pub["diff"][1],
                         why or ""])
        c = cells.setdefault((net, bits, eps), {"ours": collections.Counter(), "pub": collections.Counter(),
                                                "ours_s": [], "pub_s": [], "dra": 0, "pub_dra": 0,
                                                "how": collections.Counter()})
        c["ours"][r["verdict"]] += 1
        c["pub"][PUB.get(pub["milp"][0], pub["milp"][0])] += 1
        c["dra"] += r["how"].lower() == "dra" and r["verdict"] == "verified"
        if r["verdict"] != "unknown":
            c["how"][r["how"].lower()] += 1
        c["pub_dra"] += pub["dra"][0] == "Proved"
        if r["verdict"] != "unknown":
            c["ours_s"].append(r["wall"])
        if pub["milp"][1] is not None and pub["milp"][0] != "NA":
            c["pub_s"].append(pub["milp"][1])
        if why:
            diffs.append((net, bits, eps, sample, pub["milp"][0], pub["milp"][1], r["verdict"], r["how"], why))

    mean = lambda xs: f"{sum(xs) / len(xs):.1f}" if xs else "-"
    fmt = lambda c: f"{c['verified']}/{c['falsified']}/{c['unknown']}"
    md = [f"# RQ_2: qeb-smt verify vs published QEBVerif DRA+MILP ({a.output} output{'s' if a.output == 'all' else ''})",
          "",
          f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}; {a.jobs} tasks at a time; "
          f"{a.timeout:g} s per task; {a.backend}/{a.encoding}; radius 3; first {a.samples} samples of each cell"
          f"{'; verify arguments added: ' + a.extra if a.extra else ''}; {len(tasks)} tasks. "
          f"Wall time of the whole run: {total / 60:.1f} min.",
          "Published: RQ_2.csv, DRA+MILP row (Gurobi, 24 threads, 3600 s limit). Counts are proved/falsified/unknown; "
          "times are means over decided tasks (ours: wall time of one qeb-smt process).", "",
          "`by LP/BaB/SMT` counts our decisions made after DRA, enumeration and the attack: by the LP relaxation, "
          "branch and bound (with its SMT leaves) or the whole residual in the SMT solver.", "",
          "| net | Q | eps | ours P/F/U | published P/F/U | ours by DRA | published by DRA | ours by LP/BaB/SMT | "
          "ours mean s | published mean s |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    tot_o, tot_p, tot_how = collections.Counter(), collections.Counter(), collections.Counter()
    for (net, bits, eps), c in cells.items():
        tot_o.update(c["ours"]); tot_p.update(c["pub"]); tot_how.update(c["how"])
        engine = f"{c['how']['lp']}/{c['how']['bab']}/{c['how']['smt'] + c['how']['solver']}"
        md.append(f"| {net} | {bits} | {eps} | {fmt(c['ours'])} | {fmt(c['pub'])} | {c['dra']} | {c['pub_dra']} | "
                  f"{engine} | {mean(c['ours_s'])} | {mean(c['pub_s'])} |")
    md.append(f"| all | | | {fmt(tot_o)} | {fmt(tot_p)} | | | {tot_how['lp']}/{tot_how['bab']}/"
              f"{tot_how['smt'] + tot_how['solver']} | | |")
    n = sum(tot_o.values())
    md += ["", f"Decided: ours {tot_o['verified'] + tot_o['falsified']}/{n}, published "
               f"{tot_p['verified'] + tot_p['falsified']}/{n}.", "",
           f"## Tasks where the verdicts differ ({len(diffs)})", "",
           "| net | Q | eps | sample | published | pub s | ours | how | explanation |", "|---|---|---|---|---|---|---|---|---|"]
    for d in diffs:
        md.append(f"| {d[0]} | {d[1]} | {d[2]} | {d[3]} | {d[4]} | {d[5] if d[5] is None else f'{d[5]:.0f}'} | "
                  f"{d[6]} | {d[7]} | {d[8]} |")
    conflicts = sum("CONFLICT" in d[8] for d in diffs)
    md += ["", f"Conflicting verdicts (both decided, different answers): {conflicts}.", "",
           "Decisions by stage (all tasks): " + ", ".join(f"{k} {v}" for k, v in sorted(tot_how.items())) + "."]
    # The tasks the published run decided and the pre-engine qeb-smt did not (bench/results/rq2_smt.csv).
    baseline = os.path.join(a.out, "rq2_smt.csv")
    if os.path.exists(baseline):
        import csv as _csv
        open_before = [(r["net"], int(r["Q"]), r["eps"], int(r["sample"])) for r in _csv.DictReader(open(baseline))
                       if r["verdict"] == "unknown" and r["pub_milp"] in ("True", "False")]
        now = [k for k in open_before if k in results and results[k]["verdict"] != "unknown"]
        md += ["", f"Of the {len(open_before)} tasks the published run decided and the SMT-only qeb-smt "
                   f"(rq2_smt.csv) left open, {len(now)} are decided now."]
    q.write_results(a.out, a.name, per_task, md)
    cactus(a, tasks, results)
    return 1 if conflicts else 0


def read_results(path):
    """An earlier results csv of this script: {(net, Q, eps, sample): result as verify_task gives it}."""
    import csv as _csv
    return {(r["net"], int(r["Q"]), r["eps"], int(r["sample"])): {
                "verdict": r["verdict"], "how": r["how"], "wall": float(r["seconds"]), "exit": 0,
                "terms": r.get("terms", 0), "error": "", "bound": None}
            for r in _csv.DictReader(open(path))}


def decided_times(path):
    """Wall times of the decided tasks in an earlier results csv of this script."""
    return sorted(r["wall"] for r in read_results(path).values() if r["verdict"] in ("verified", "falsified"))


def cactus(a, tasks, results):
    """Ours, every --compare run (by default the pre-engine SMT-only run, rq2_smt.csv, when it exists)
    and the published DRA+MILP."""
    ours = sorted(r["wall"] for t in tasks for r in [results[t[:4]]] if r["verdict"] in ("verified", "falsified"))
    pub = sorted(t[4]["milp"][1] for t in tasks if t[4]["milp"][0] in ("True", "False") and t[4]["milp"][1] is not None)
    curves = [(ours, f"qeb-smt --engine {a.engine} ({len(ours)} decided, {a.timeout:g} s limit)")]
    compare = a.compare
    if compare is None:
        smt = os.path.join(a.out, "rq2_smt.csv")
        compare = [f"qeb-smt before the proof engine (--engine smt)={smt}"] if os.path.exists(smt) else []
    for item in compare:
        label, path = item.rsplit("=", 1)
        times = decided_times(path)
        curves.append((times, f"{label} ({len(times)} decided)"))
    curves.append((pub, f"QEBVerif DRA+MILP, published ({len(pub)} decided, 3600 s limit)"))
    q.cactus_plot(curves, f"RQ_2, {len(tasks)} tasks (first {a.samples} samples per cell), {a.output} output",
                  os.path.join(a.out, f"{a.name}_cactus.svg"), a.timeout)


if __name__ == "__main__":
    sys.exit(main())
