#!/usr/bin/python3
"""ACAS Xu benchmark of the proof engine (issue 14): QEBVerif's three ACAS Xu networks (preset
qebverif-acas, 5 inputs, 6 hidden layers of 50), boxes of 10^3 to 10^9 integer points around the
spec's fix-point centres (section 5.2), eps at 1.02x and 0.98x the true maximum error (exhaustive
oracle, up to --exact-limit points) or the best known one (sampled oracle plus hill-climbing: a lower
bound, so a 1.02x task may still be falsified). Every task runs under each engine; the table gives
verdict, deciding stage and seconds per engine, and a cactus plot (tasks decided vs time per engine)
is written as NAME_cactus.svg.

  bench/acas.py [--bits 4,8] [--engines auto,bab,lp,smt] [--timeout 30] [--threads 2]
                [--exact-limit 1000000] [--name acas] [--out bench/results]
"""
import argparse, collections, json, math, os, platform, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qebverif as q

NETS = {"A1,1": "ACASXU_run2a_1_1_batch_2000.h5", "A2,8": "ACASXU_run2a_2_8_batch_2000.h5",
        "A4,5": "ACASXU_run2a_4_5_batch_2000.h5"}
# The spec's five normalised fix-point centres (section 5.2), x̂ = round(256 x) clipped to [-128, 127].
CENTRES = [(0, 0, 0, 0, 0), (0.2, -0.1, 0, -0.3, 0.4), (0.45, -0.23, -0.4, 0.12, 0.33),
           (-0.2, -0.25, -0.5, -0.3, -0.44), (0.61, 0.36, 0.0, 0.0, -0.24)]
SIZES = [10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6, 10 ** 7, 10 ** 8, 10 ** 9]


def to_grid(v):
    return max(-128, min(127, int(math.floor(256 * v + 0.5))))


def box_of(centre, points):
    """A box of about `points` integer points around the centre (equal widths, clipped, then widened
    on the other side so the count holds)."""
    width = max(1, round(points ** (1 / 5)))
    box = []
    for c in centre:
        lo = to_grid(c) - (width - 1) // 2
        lo = max(-128, min(lo, 128 - width))
        box.append((lo, lo + width - 1))
    return box


def box_text(box):
    return ",".join(f"{lo}:{hi}" for lo, hi in box)


def count(box):
    n = 1
    for lo, hi in box:
        n *= hi - lo + 1
    return n


def model_args(net, bits):
    return ["--model", os.path.join(q.DATA, "qebverif", "acasxu", NETS[net]), "--preset", "qebverif-acas", "--bits",
            str(bits)]


def reference_error(binary, net, bits, box, exact_limit):
    """(max |QNN - DNN| over all outputs as a float, exact?, seconds)."""
    doc, wall, _ = q.run_json(["oracle", *model_args(net, bits), "--box", box_text(box), "--exhaustive-limit",
                               str(exact_limit), "--quiet"], binary)
    worst = max(o["max_abs"]["approx"] for o in doc["outputs"])
    return worst, doc.get("exhaustive", False), wall


def run_engine(binary, net, bits, box, eps, engine, timeout, threads):
    doc, wall, code = q.run_json(["verify", *model_args(net, bits), "--box", box_text(box), "--eps", eps, "--output",
                                  "all", "--engine", engine, "--threads", str(threads), "--timeout", str(timeout), "-q"],
                                 binary)
    verdict = doc.get("verdict", "error")
    how = q.decided_by(doc) if verdict in ("verified", "falsified") else "-"
    return {"verdict": verdict, "how": how, "wall": wall}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bits", default="4,8")
    p.add_argument("--engines", default="auto,bab,lp,smt")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--exact-limit", type=int, default=1_000_000)
    p.add_argument("--binary", default=q.BINARY)
    p.add_argument("--name", default="acas")
    p.add_argument("--out", default=os.path.join(q.ROOT, "bench", "results"))
    a = p.parse_args()
    engines = a.engines.split(",")
    bits_list = [int(b) for b in a.bits.split(",")]
    # 3 networks x 5 centres x one size each (cycling through the sizes), per bit-width.
    boxes = []
    i = 0
    for bits in bits_list:
        for net in NETS:
            for centre in CENTRES:
                boxes.append((net, bits, box_of(centre, SIZES[i % len(SIZES)])))
                i += 1
    start = time.time()
    rows = [["net", "Q", "box", "points", "max_error", "exact", "eps_factor", "eps"] +
            [f"{e}_{k}" for e in engines for k in ("verdict", "how", "seconds")]]
    records = []
    for n, (net, bits, box) in enumerate(boxes, 1):
        worst, exact, ref_s = reference_error(a.binary, net, bits, box, a.exact_limit)
        for factor in (1.02, 0.98):
            eps = f"{worst * factor:.9g}"
            res = {e: run_engine(a.binary, net, bits, box, eps, e, a.timeout, a.threads) for e in engines}
            records.append((net, bits, box, worst, exact, factor, eps, res))
            rows.append([net, bits, box_text(box), count(box), f"{worst:.9g}", exact, factor, eps] +
                        [v for e in engines for v in (res[e]["verdict"], res[e]["how"], f"{res[e]['wall']:.2f}")])
            print(f"[{n}/{len(boxes)} {time.time() - start:.0f}s] {net} Q={bits} {count(box):.1e} points x{factor}: " +
                  ", ".join(f"{e} {res[e]['verdict']} ({res[e]['how']}) {res[e]['wall']:.1f}s" for e in engines),
                  file=sys.stderr, flush=True)
    total = time.time() - start

    md = [f"# ACAS Xu: the proof engines on boxes of 10^3 to 10^9 points", "",
          f"Machine: {os.cpu_count()} cores, {platform.machine()}; one task at a time, {a.threads} threads, "
          f"{a.timeout:g} s per run; networks {', '.join(NETS)} (QEBVerif's Keras h5, preset qebverif-acas, "
          f"Q in {a.bits}); every output checked; eps = 1.02x / 0.98x the maximum error, exact (oracle, up to "
          f"{a.exact_limit:,} points) or best known (sampled: a lower bound). Wall time of the run: {total / 60:.1f} min.",
          "", "| net | Q | points | max error | eps | " + " | ".join(engines) + " |",
          "|---|---|---|---|---|" + "---|" * len(engines)]
    small = collections.Counter()
    for net, bits, box, worst, exact, factor, eps, res in records:
        cells = [f"{res[e]['verdict']} ({res[e]['how']}, {res[e]['wall']:.2f} s)" for e in engines]
        md.append(f"| {net} | {bits} | {count(box):.1e} | {worst:.6g}{'' if exact else ' (lower bound)'} | "
                  f"{factor}x | " + " | ".join(cells) + " |")
        if count(box) <= 100_000:
            r = res[engines[0]]
            small["tasks"] += 1
            small["decided"] += r["verdict"] in ("verified", "falsified")
            small["within_1s"] += r["verdict"] in ("verified", "falsified") and r["wall"] <= 1.0
    md += ["", f"Tasks of at most 10^5 points: {small['tasks']}; decided by {engines[0]}: {small['decided']}, "
               f"of which within 1 s (whole process): {small['within_1s']}."]
    for e in engines:
        c = collections.Counter(r[7][e]["verdict"] for r in records)
        md.append(f"- {e}: {c['verified']} verified, {c['falsified']} falsified, {c['unknown']} unknown, "
                  f"{c['error']} errors")
    q.write_results(a.out, a.name, rows, md)
    cactus(a, engines, records)


def cactus(a, engines, records):
    curves = []
    for e in engines:
        times = sorted(r[7][e]["wall"] for r in records if r[7][e]["verdict"] in ("verified", "falsified"))
        curves.append((times, f"--engine {e} ({len(times)} decided)"))
    q.cactus_plot(curves, f"ACAS Xu, {len(records)} tasks (10^3 to 10^9 points), {a.timeout:g} s limit",
                  os.path.join(a.out, f"{a.name}_cactus.svg"), a.timeout)


if __name__ == "__main__":
    sys.exit(main())
