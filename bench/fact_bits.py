#!/usr/bin/python3
"""Does rounding the encoding's redundant bound facts to short dyadic constants speed the solvers?
(issue 14, item 5: `verify --fact-bits B`).

The SMT route alone (`--engine smt`, attack and enumeration off) on the 784-100-10 boxes of
bench/partition_speedup.py that one solver decides in 20-120 s (their exact maximum errors are read
from bench/results/partition_speedup.json, written by that script's oracle runs): eps = the exact
maximum (a tight proof; with --falsified also 0.98 x it, a counterexample). Each task runs with exact facts
(B = 0, doubles with up to 52-bit mantissas) and with facts rounded outward to multiples of 2^-B.

  bench/fact_bits.py [--bits-list 0,12,6] [--backends z3,cvc5] [--boxes K,..] [--falsified] [--timeout 120]
"""
import argparse, json, os, sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q
from partition_speedup import box_of, model_args

# sample/free pixels/radius/bits of the boxes one solver decides in 20-120 s (partition_speedup.md).
KEYS = ["5656/5/8/6", "3236/4/10/6", "5656/4/12/6", "5656/6/5/6", "7098/6/6/6", "3236/4/8/6"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bits-list", default="0,12,6")
    p.add_argument("--backends", default="z3,cvc5")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--boxes", default=",".join(KEYS), help="comma-separated sample/free/radius/bits keys")
    p.add_argument("--falsified", action="store_true", help="also eps = 0.98 x the maximum (counterexamples)")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    cache = json.load(open(os.path.join(a.out, "partition_speedup.json")))
    bits_list = a.bits_list.split(",")
    backends = a.backends.split(",")
    rows = [["box", "eps_kind", "eps", "backend"] + [f"B{b}_{k}" for b in bits_list for k in ("verdict", "seconds")]]
    md = ["# Redundant facts rounded to short dyadic constants (`verify --fact-bits B`)", "",
          f"`--engine smt --attack 0 --enumerate-limit 0 --timeout {a.timeout:g}`, one task at a time, "
          "784-100-10 boxes (MNIST sample / free pixels / radius / Q), the output with the largest exact error. "
          "B = 0: exact doubles; B > 0: every redundant bound fact rounded outward to a multiple of 2^-B. "
          "Cells: verdict, wall seconds.", "",
          "| box | eps | backend | " + " | ".join(f"B = {b}" for b in bits_list) + " |",
          "|---|---|---|" + "---|" * len(bits_list)]
    for key in a.boxes.split(","):
        o = cache[key]
        sample, free, radius, bits = (int(x) for x in key.split("/"))
        box = box_of(sample, free, radius)
        for kind, factor in [("max", Fraction(1))] + ([("0.98 max", Fraction(49, 50))] if a.falsified else []):
            eps = Fraction(o["max"]) * factor
            for backend in backends:
                cells = []
                for b in bits_list:
                    args = ["verify", *model_args(bits, box), "--eps", f"{eps.numerator}/{eps.denominator}", "--output",
                            str(o["output"]), "--engine", "smt", "--attack", "0", "--enumerate-limit", "0",
                            "--backend", backend, "--fact-bits", b, "--timeout", str(a.timeout), "-q"]
                    doc, wall, _ = q.run_json(args)
                    cells.append((doc.get("verdict", "error"), wall))
                    print(f"{key} eps={kind} {backend} B={b}: {cells[-1][0]} {wall:.1f}s", file=sys.stderr, flush=True)
                rows.append([key, kind, f"{float(eps):.9g}", backend] + [v for c in cells for v in (c[0], f"{c[1]:.2f}")])
                md.append(f"| {key} | {kind} | {backend} | " + " | ".join(f"{c[0]} {c[1]:.1f}" for c in cells) + " |")
    q.write_results(a.out, "fact_bits", rows, md)


if __name__ == "__main__":
    sys.exit(main())
