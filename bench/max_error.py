#!/usr/bin/python3
"""How tight is the `max-error` bracket on full MNIST boxes? (issue 14: "on a full radius-3 MNIST box
of 784-100-10 (Q=8) it returns a bracket whose width is at most 10% of its upper end within 60 s").

One `qeb-smt max-error --output all` run per box: the network of --net at Q = --bits, the radius
--radius box around each of the first --samples samples of the RQ_2 benchmark (the published
RQ_2.csv's order), --timeout seconds, --threads threads, one run at a time. Per box: the bracket
[lower, upper] of max_k |QNN_k - DNN_k|, its width as a share of the upper end, the output where the
upper end lies and which stage gave each end.

  bench/max_error.py [--net P1] [--bits 8] [--radius 3] [--samples 10] [--timeout 60] [--threads 2]
                     [--binary build/src/qeb-smt] [--name max_error] [--out bench/results]
"""
import argparse, os, platform, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q


def rq2_samples(net, bits, count):
    """The first `count` samples of the published RQ_2 block of (net, bits), in the csv's order."""
    blocks = q.published_rq2(q.read_csv("RQ_2.csv"), net, bits)
    if not blocks:
        sys.exit(f"max_error.py: no RQ_2 block for {net} Q={bits} in {q.RESULTS}/RQ_2.csv")
    return list(next(iter(blocks.values())))[:count]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", default="P1", choices=sorted(q.NETS))
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--radius", type=int, default=3)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--name", default="max_error")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()

    header = ["sample", "lower", "upper", "width", "worst_output", "lower_from", "upper_from", "seconds", "verdict"]
    rows, widths = [header], []
    for sample in rq2_samples(a.net, a.bits, a.samples):
        args = ["max-error", "--model", q.model_path(a.net), "--preset", "qebverif-mnist", "--bits", str(a.bits),
                "--mnist", os.path.join(q.DATA, "mnist"), "--sample", str(sample), "--radius", str(a.radius),
                "--output", "all", "--timeout", str(a.timeout), "--threads", str(a.threads)]
        doc, wall, _ = q.run_json(args, a.binary)
        if "upper" not in doc:
            print(f"sample {sample}: {doc.get('verdict')} {doc.get('stderr', doc.get('reason', ''))}", file=sys.stderr)
            rows.append([sample, "", "", "", "", "", "", f"{wall:.1f}", doc.get("verdict", "error")])
            continue
        lower, upper = doc["lower"]["approx"], doc["upper"]["approx"]
        width = (upper - lower) / upper if upper > 0 else 0.0
        widths.append(width)
        outputs = {o["index"]: o for o in doc.get("outputs", [])}
        worst = max(outputs.values(), key=lambda o: o["upper"]["approx"]) if outputs else {}
        best = max(outputs.values(), key=lambda o: o["lower"]["approx"]) if outputs else {}
        rows.append([sample, f"{lower:.5f}", f"{upper:.5f}", f"{100 * width:.1f}", worst.get("index", ""),
                     best.get("lower_from", ""), worst.get("upper_from", ""), f"{wall:.1f}", doc.get("verdict", "")])
        print(f"sample {sample}: [{lower:.4f}, {upper:.4f}] width {100 * width:.1f}% in {wall:.1f} s",
              file=sys.stderr, flush=True)

    met = sum(w <= 0.10 for w in widths)
    md = [f"# max-error brackets on full MNIST boxes ({a.net}, Q={a.bits}, radius {a.radius})", "",
          f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}; one run at a time; "
          f"`max-error --output all --timeout {a.timeout:g} --threads {a.threads}`; the first {a.samples} samples "
          "of the RQ_2 benchmark. Width: (upper - lower) / upper. `lower from`: the stage whose exact witness "
          "gives the lower end (search, tabu, bab); `upper from`: the stage whose rigorous bound gives the upper "
          "end (dra, lp, bab), on the output where it lies.", "",
          f"Within 10%: {met} of {len(widths)} boxes; median width "
          f"{100 * statistics.median(widths):.1f}%." if widths else "No bracket was returned.", "",
          "| sample | lower | upper | width % | upper end at output | lower from | upper from | s |",
          "|---|---|---|---|---|---|---|---|"]
    md += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} |" for r in rows[1:]]
    q.write_results(a.out, a.name, rows, md)


if __name__ == "__main__":
    sys.exit(main())
