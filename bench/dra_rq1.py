#!/usr/bin/python3
"""DRA precision and time beside the published RQ_1 table (QEBVerif Table 2).

For each network, Q and mode: H_Diff (sum of hidden difference widths), OutDiff (width of the
predicted class's output difference) and DRA time, averaged over the first N samples, ours
(published and sound semantics) next to the published averages over the same samples, with the
time ratio published/ours. Uses only Debian's python3.

  bench/dra_rq1.py [--samples N] [--bits 4,6,8,10] [--nets P1,P2,P3,P4] [--out DIR]
"""
import argparse, csv, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q

ROWS = {"base": "Baseline", "con": "QEBVerif(Con)", "sym": "QEBVerif(sym)", "sym-": "QEBVerif(sym-)"}


def run(binary, net, bits, sample, mode, semantics):
    doc, _, code = q.run_json(["dra", "--model", q.model_path(net), "--preset", "qebverif-mnist", "--bits", str(bits),
                               "--mnist", os.path.join(q.DATA, "mnist"), "--sample", str(sample), "--radius", "3",
                               "--dra", mode, "--semantics", semantics, "--output", "predicted"], binary)
    if code != 0:
        raise SystemExit(f"qeb-smt dra failed on {net} Q={bits} sample {sample}: {doc}")
    lo, hi = doc["outputs"][0]["delta"]
    return doc["hidden_delta_width"], hi - lo, doc["seconds"]["dra"], [d for layer in doc["hidden_layers"] for d in layer["delta"]]


def meet_width(a, b):
    """H_Diff of the per-neuron intersection of two runs' hidden differences (the paper's "sym-")."""
    return sum(min(x[1], y[1]) - max(x[0], y[0]) for x, y in zip(a, b))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--bits", default="4,6,8,10")
    p.add_argument("--nets", default="P1,P2,P3,P4")
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    rq1 = q.read_csv("RQ_1.csv")
    os.makedirs(a.out, exist_ok=True)
    lines = ["| net | Q | mode | H pub | H ours (pub) | H ours (sound; sym-: Con∩Sym) | O pub | O ours (pub) "
             "| O ours (sound) "
             "| T pub s | T ours ms | speed-up |", "|" + "---|" * 12]
    table = []
    ratios = []
    for block in a.nets.split(","):
        for bits in map(int, a.bits.split(",")):
            for mode, label in ROWS.items():
                pub = q.published_rq1(rq1, block, bits, label)
                samples = list(pub)[: a.samples]
                if not samples:
                    continue
                if mode == "sym-":
                    # The paper's "sym-" row is plain Sym under P1-P4 (measured: it equals ours in every
                    # cell); its "sym" H column is reproduced by neither. The third H column here is the
                    # per-neuron intersection of published Con and Sym, which sound Sym builds in.
                    con = [run(a.binary, block, bits, s, "con", "published") for s in samples]
                    ours_p = [run(a.binary, block, bits, s, "sym", "published") for s in samples]
                    ours_s = [(meet_width(c[3], y[3]), y[1], y[2]) for c, y in zip(con, ours_p)]
                else:
                    ours_p = [run(a.binary, block, bits, s, mode, "published") for s in samples]
                    ours_s = [run(a.binary, block, bits, s, mode, "sound") for s in samples]
                avg = lambda rows, m: statistics.mean(r[m] for r in rows)
                pub_rows = [pub[s] for s in samples]
                t_pub, t_ours = avg(pub_rows, 2), avg(ours_p, 2)
                ratio = t_pub / t_ours if t_ours > 0 else float("inf")
                ratios.append(ratio)
                row = [block, bits, mode, avg(pub_rows, 0), avg(ours_p, 0), avg(ours_s, 0), avg(pub_rows, 1),
                       avg(ours_p, 1), avg(ours_s, 1), t_pub, 1000 * t_ours, ratio]
                table.append(row)
                lines.append("| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row) + " |")
                print(lines[-1], flush=True)
    with open(os.path.join(a.out, "dra_rq1.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["net", "Q", "mode", "H_pub", "H_ours_published", "H_ours_sound", "O_pub", "O_ours_published",
                    "O_ours_sound", "T_pub_s", "T_ours_ms", "speedup"])
        w.writerows(table)
    summary = f"\nsamples per cell: {a.samples}; median speed-up {statistics.median(ratios):.0f}x, min {min(ratios):.0f}x\n"
    with open(os.path.join(a.out, "dra_rq1.md"), "w") as f:
        f.write("\n".join(lines) + "\n" + summary)
    print(summary)


if __name__ == "__main__":
    sys.exit(main())
