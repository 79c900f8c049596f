#!/usr/bin/python3
"""`qeb-smt verify` on RQ_2 tasks beside the published DRA+MILP verdicts and times (QEBVerif Table 3).

Per task (network, Q, eps, sample; radius 3, the predicted class as in the artifact): DRA time,
encoding size, attack and solve time and verdict per backend x encoding, next to the published
verdict and time. Then, for the all-outputs check, one incremental solver against a fresh solver
per query (attack off, every output checked).

  bench/verify_rq2.py [--net P1] [--bits 4,8] [--eps 1,2] [--samples 5] [--timeout 60]
                      [--backends z3,cvc5] [--encodings bv-lra,lira] [--incremental-tasks 3]
"""
import argparse, csv, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q


def published(rows, net, bits, eps):
    """{sample: (verdict, seconds)} of the DRA+MILP row."""
    return {s: c["milp"] for s, c in q.published_rq2(rows, net, bits).get(eps, {}).items()}


def verify(binary, net, bits, sample, eps, backend, encoding, timeout, extra=()):
    args = ["verify", "--model", q.model_path(net), "--preset", "qebverif-mnist", "--bits", str(bits),
            "--mnist", os.path.join(q.DATA, "mnist"), "--sample", str(sample), "--radius", "3", "--eps", str(eps),
            "--backend", backend, "--encoding", encoding, "--timeout", str(timeout), "-q", *extra]
    if "--output" not in extra:
        args += ["--output", "predicted"]
    doc, wall, _ = q.run_json(args, binary)
    doc["wall"] = wall
    return doc


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", default="P1", choices=sorted(q.NETS))
    p.add_argument("--bits", default="4,8")
    p.add_argument("--eps", default="1,2")
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--backends", default="z3,cvc5")
    p.add_argument("--encodings", default="bv-lra,lira")
    p.add_argument("--incremental-tasks", type=int, default=3)
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    rows = q.read_csv("RQ_2.csv")
    net = a.net
    configs = [(b, e) for b in a.backends.split(",") for e in a.encodings.split(",")]
    header = ["Q", "eps", "sample", "published", "pub s", "DRA s", "terms"] + [f"{b}/{e}" for b, e in configs]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table = []
    print(lines[0], flush=True)
    for bits in map(int, a.bits.split(",")):
        for eps in a.eps.split(","):
            pub = published(rows, a.net, bits, eps)
            for sample in list(pub)[: a.samples]:
                cells, dra, terms = [], "", ""
                for backend, encoding in configs:
                    d = verify(a.binary, net, bits, sample, eps, backend, encoding, a.timeout)
                    s = d.get("seconds", {})
                    dra = f"{s.get('dra', 0):.3f}" if s else dra
                    terms = str(d.get("terms", terms))
                    by = ""
                    for o in d.get("outputs", []):
                        by = " (DRA)" if o.get("by_dra") else " (attack)" if o.get("by_attack") else ""
                    cells.append(f"{d['verdict']}{by} {d['wall']:.1f}s")
                verdict, secs = pub[sample]
                pub_s = f"{secs:.1f}" if secs is not None else "-"
                row = [str(bits), eps, str(sample), verdict, pub_s, dra, terms] + cells
                table.append(row)
                lines.append("| " + " | ".join(row) + " |")
                print(lines[-1], flush=True)

    # Incremental vs a fresh solver per query on the all-outputs check.
    inc_lines = ["", "All outputs, every output checked (attack off): one incremental solver vs a fresh one per query",
                 "", "| Q | eps | sample | queries | incremental s | fresh s | ratio |", "|---|---|---|---|---|---|---|"]
    ratios = []
    backend, encoding = configs[0]
    for bits in map(int, a.bits.split(",")):
        pub = published(rows, a.net, bits, a.eps.split(",")[-1])
        for sample in list(pub)[: a.incremental_tasks]:
            common = ("--output", "all", "--attack", "0", "--all-counterexamples")
            eps = a.eps.split(",")[-1]
            inc = verify(a.binary, net, bits, sample, eps, backend, encoding, a.timeout, common)
            fresh = verify(a.binary, net, bits, sample, eps, backend, encoding, a.timeout, common + ("--fresh-solver",))
            if inc["verdict"] == "unknown" or fresh["verdict"] == "unknown":
                ratio = "timeout"
            else:
                ratio = f"{fresh['wall'] / inc['wall']:.2f}"
                ratios.append(fresh["wall"] / inc["wall"])
            inc_lines.append(f"| {bits} | {eps} | {sample} | {inc.get('solver_calls', '-')} | {inc['wall']:.1f} | "
                             f"{fresh['wall']:.1f} | {ratio} |")
            print(inc_lines[-1], flush=True)
    if ratios:
        inc_lines.append(f"\nmedian fresh/incremental ratio: {statistics.median(ratios):.2f}")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, f"verify_rq2_{a.net}.md"), "w") as f:
        f.write(f"timeout {a.timeout} s per task; machine: {os.cpu_count()} cores\n\n" + "\n".join(lines + inc_lines) + "\n")
    with open(os.path.join(a.out, f"verify_rq2_{a.net}.csv"), "w", newline="") as f:
        csv.writer(f).writerows([header] + table)


if __name__ == "__main__":
    sys.exit(main())
