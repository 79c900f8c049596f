#!/usr/bin/python3
"""`qeb-smt verify` on QEBVerif's RQ_3 sweep (784-100-10, radius x eps) beside the published counts.

Per (Q, radius, eps): proved/falsified/unknown over the first N samples, ours vs published
(RQ_3.csv, DRA+MILP with Sym), plus every task where the decided verdicts conflict.

  bench/rq3.py [--bits 4,8] [--radii 3,5,7] [--eps 0.5,1.0,1.5,2.0,2.5,3.0,3.5,4,5] [--samples 5]
               [--timeout 60] [--jobs 2] [--name rq3] [--out bench/results]
"""
import argparse, collections, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q

PUB = {"True": "verified", "False": "falsified"}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bits", default="4,8")
    p.add_argument("--radii", default="3,5,7")
    p.add_argument("--eps", default="0.5,1.0,1.5,2.0,2.5,3.0,3.5,4,5")
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--name", default="rq3")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    rows = q.read_csv("RQ_3.csv")
    eps_list = a.eps.split(",")
    tasks = []
    for bits in map(int, a.bits.split(",")):
        for radius in map(int, a.radii.split(",")):
            pub = q.published_rq3(rows, bits, radius)
            for eps in eps_list:
                for sample in list(pub.get(eps, {}))[: a.samples]:
                    tasks.append((bits, radius, eps, sample, pub[eps][sample][0]))
    jobs = [lambda t=t: q.verify_task(a.binary, "P1", t[0], t[3], t[2], t[1], timeout=a.timeout) for t in tasks]
    done, total = q.run_pool(a.jobs, jobs, lambda i, r: f"Q={tasks[i][0]} r={tasks[i][1]} eps={tasks[i][2]} sample "
                                                         f"{tasks[i][3]}: {r['verdict']} ({r['how']}) {r['wall']:.1f}s")
    counts = collections.defaultdict(lambda: {"ours": collections.Counter(), "pub": collections.Counter()})
    conflicts, per_task = [], [["Q", "radius", "eps", "sample", "verdict", "how", "seconds", "published"]]
    for t, r in zip(tasks, done):
        c = counts[(t[0], t[1], t[2])]
        c["ours"][r["verdict"]] += 1
        pub = PUB.get(t[4], "unknown")
        c["pub"][pub] += 1
        per_task.append([t[0], t[1], t[2], t[3], r["verdict"], r["how"], f"{r['wall']:.2f}", t[4]])
        if {r["verdict"], pub} == {"verified", "falsified"}:
            conflicts.append(t)
    cell = lambda c: f"{c['verified']}/{c['falsified']}" + (f"+{c['unknown']}u" if c["unknown"] else "")
    md = [f"# RQ_3: 784-100-10, radius x eps (ours vs published, proved/falsified+unknown, first {a.samples} samples)",
          "", f"{a.timeout:g} s per task, {a.jobs} at a time on {os.cpu_count()} cores; whole run {total / 60:.1f} min.", "",
          "| Q | r | " + " | ".join(f"eps={e}" for e in eps_list) + " |", "|---|---|" + "---|" * len(eps_list)]
    for bits in map(int, a.bits.split(",")):
        for radius in map(int, a.radii.split(",")):
            md.append(f"| {bits} | {radius} | " + " | ".join(
                f"{cell(counts[(bits, radius, e)]['ours'])} ({cell(counts[(bits, radius, e)]['pub'])})"
                for e in eps_list) + " |")
    md += ["", "Each cell: ours (published).", f"Conflicting verdicts: {len(conflicts)}" +
           "".join(f"\n- Q={t[0]} r={t[1]} eps={t[2]} sample {t[3]}: published {t[4]}" for t in conflicts)]
    q.write_results(a.out, a.name, per_task, md)
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
