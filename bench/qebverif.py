"""Shared by the bench scripts: where the QEBVerif data lives, how to read its published results
(RQ_1/RQ_2/RQ_3.csv) and how to run qeb-smt and read its JSON. Debian's python3 only."""
import csv, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
RESULTS = os.path.join(DATA, "qebverif", "results")
BINARY = os.path.join(ROOT, "build", "src", "qeb-smt")
# Labels as in the csv files (B12: the P-numbering differs from the README tables).
NETS = {"P1": "1blk_100", "P2": "2blk_100_100", "P3": "2blk_512_512", "P4": "3blk_100_100_100"}
ARCH = {"P1": "784_100_10", "P2": "784_100_100_10", "P3": "784_512_512_10", "P4": "784_100_100_100_10"}


def model_path(net):
    return os.path.join(DATA, "qebverif", "mnist", f"PTQ_mnist_{NETS[net]}_in_8_relu_0.h5")


def read_csv(name):
    with open(os.path.join(RESULTS, name)) as f:
        return list(csv.reader(f))


def _blocks(rows, header_prefix):
    """Yields (header row index, sample ids) for every block whose header starts with header_prefix."""
    for i, r in enumerate(rows):
        if len(r) > 2 and r[1].strip().startswith(header_prefix):
            yield i, r


def published_rq1(rows, net, bits, label):
    """{sample: (H, O, T)} of one RQ_1 row (label e.g. "QEBVerif(sym)")."""
    for i, r in enumerate(rows):
        if len(r) > 1 and r[1].startswith(net + ":"):
            ids = [x.strip() for x in rows[i + 1][3::3]]
            j, q = i + 3, None
            while j < len(rows) and not (len(rows[j]) > 1 and rows[j][1].startswith("P") and ":" in rows[j][1]):
                if rows[j] and rows[j][0].startswith("Q="):
                    q = int(rows[j][0][2:])
                if q == bits and len(rows[j]) > 1 and rows[j][1] == label:
                    vals = rows[j][2:]
                    return {int(s): tuple(float(vals[3 * k + m]) for m in range(3)) for k, s in enumerate(ids) if s}
                j += 1
    return {}


def _seconds(text):
    text = text.strip()
    try:
        return float(text)
    except ValueError:  # "", "NA", "Timeout"
        return None


def published_rq2(rows, net, bits):
    """{eps: {sample: {"dra": (verdict, s), "milp": (verdict, s), "diff": (verdict, s), "interval": str}}}
    for one (network, Q) block of RQ_2.csv, samples in the csv's order. Verdicts as printed:
    DRA Proved/Unknown; MILP True/False/NA (NA: timeout)."""
    out = {}
    for i, r in _blocks(rows, f"{net}: {ARCH[net]}"):
        if r[2].strip() != f"Q bit: {bits}":
            continue
        ids = [x.strip() for x in rows[i + 1][3::3]]
        j = i + 3
        while j + 2 < len(rows) and rows[j] and rows[j][0].startswith("Error="):
            eps = rows[j][0].split("=")[1].strip()
            cell = {}
            for k, s in enumerate(ids):
                if not s:
                    continue
                c = 2 + 3 * k
                cell[int(s)] = {
                    "interval": rows[j][c].strip().rstrip("."),
                    "dra": (rows[j][c + 1].strip(), _seconds(rows[j][c + 2])),
                    "milp": (rows[j + 1][c + 1].strip(), _seconds(rows[j + 1][c + 2])),
                    "diff": (rows[j + 2][c + 1].strip(), _seconds(rows[j + 2][c + 2])),
                }
            out[eps] = cell
            j += 3
        return out
    return {}


def published_rq3(rows, bits, radius):
    """{eps: {sample: (verdict, s)}} plus key "robust" for P1's RQ_3 block (Q, radius)."""
    out = {}
    for i, r in _blocks(rows, f"P1: {ARCH['P1']}"):
        if r[2].strip() != f"Q bit: {bits}" or r[3].strip() != f"Radius: {radius}":
            continue
        ids = [x.strip() for x in rows[i + 1][3::2]]
        j = i + 3
        while j < len(rows) and len(rows[j]) > 2 and rows[j][1].strip():
            label = rows[j][1].strip()
            key = "robust" if label == "Robustness" else label.split("=")[1].strip()
            out[key] = {int(s): (rows[j][2 + 2 * k].strip(), _seconds(rows[j][3 + 2 * k]))
                        for k, s in enumerate(ids) if s}
            j += 1
        return out
    return {}


def run_json(args, binary=BINARY):
    """Runs `qeb-smt ARGS --json -`; returns (document, wall seconds, exit code). stdout holds the
    document alone (docs/result-schema.json; errors write one too); unparsable output gives
    {"verdict": "error", "stderr": ...}."""
    start = time.time()
    p = subprocess.run([binary, *args, "--json", "-"], capture_output=True, text=True)
    wall = time.time() - start
    out = p.stdout
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {"verdict": "error", "stderr": p.stderr.strip()[-500:]}
    return doc, wall, p.returncode


# The stages in pipeline order (verify's "decided_by"); older JSON had only by_dra/by_attack.
STAGES = ["dra", "enumeration", "attack", "lp", "bab", "smt"]


def decided_by(doc):
    """The stage that decided a verify run: the falsifying output's, else the latest of the outputs'."""
    outs = doc.get("outputs", [])
    stage = lambda o: o.get("decided_by") or ("dra" if o.get("by_dra") else "attack" if o.get("by_attack") else "smt")
    falsified = [stage(o) for o in outs if o.get("verdict") == "falsified"]
    if falsified:
        return falsified[0]
    stages = [stage(o) for o in outs]
    return max(stages, key=lambda s: STAGES.index(s) if s in STAGES else -1) if stages else "none"


def verify_task(binary, net, bits, sample, eps, radius=3, output="predicted", backend="z3", encoding="lira",
                timeout=60, engine=None, threads=1, extra=()):
    """One `qeb-smt verify` on an MNIST sample's radius box: {verdict, how, wall, exit, terms, error, bound};
    `how` is the deciding stage (dra, enumeration, attack, lp, bab, smt) for decided tasks, the reason
    (e.g. timeout) for unknown ones; `bound` the proven interval of the first output."""
    args = ["verify", "--model", model_path(net), "--preset", "qebverif-mnist", "--bits", str(bits),
            "--mnist", os.path.join(DATA, "mnist"), "--sample", str(sample), "--radius", str(radius), "--eps", str(eps),
            "--output", output, "--backend", backend, "--encoding", encoding, "--timeout", str(timeout), "-q"]
    if engine:
        args += ["--engine", engine, "--threads", str(threads)]
    args += list(extra)
    doc, wall, code = run_json(args, binary)
    outs = doc.get("outputs", [])
    how = decided_by(doc)
    if doc.get("verdict") == "unknown":
        how = next((o.get("reason", "") for o in outs if o.get("reason")), doc.get("reason", "timeout"))
    bound = outs[0].get("bound") if outs else None
    return {"verdict": doc.get("verdict", "error"), "how": how, "wall": wall, "exit": code,
            "terms": doc.get("terms", 0), "error": doc.get("stderr", ""), "bound": bound}


def run_pool(jobs, tasks, describe):
    """Runs the callables in `tasks` on `jobs` threads (each starts a qeb-smt process), printing one
    progress line per finished task to stderr; returns their results in task order."""
    import concurrent.futures as cf, sys
    start = time.time()
    results = [None] * len(tasks)
    with cf.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(t): i for i, t in enumerate(tasks)}
        for n, f in enumerate(cf.as_completed(futures), 1):
            i = futures[f]
            results[i] = f.result()
            print(f"[{n}/{len(tasks)} {time.time() - start:.0f}s] {describe(i, results[i])}", file=sys.stderr, flush=True)
    return results, time.time() - start


def write_results(out_dir, name, rows, markdown_lines):
    """Writes NAME.csv (rows) and NAME.md (the lines) to out_dir and prints the Markdown."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"{name}.csv"), "w", newline="") as f:
        csv.writer(f).writerows(rows)
    with open(os.path.join(out_dir, f"{name}.md"), "w") as f:
        f.write("\n".join(markdown_lines) + "\n")
    print("\n".join(markdown_lines))


def cactus_plot(curves, title, path, limit=None):
    """Tasks decided vs time per task (the VNN-COMP / SMT-COMP convention), one step curve per
    (sorted times, label), as an SVG at path; skipped with a note when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("cactus plot skipped: matplotlib is not installed (apt-get install python3-matplotlib)", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for times, label in curves:
        ax.step(times, range(1, len(times) + 1), where="post", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("time per task (s, log scale)")
    ax.set_ylabel("tasks decided")
    ax.set_title(title)
    if limit:
        ax.axvline(limit, color="grey", linestyle=":", linewidth=1)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    print(f"cactus plot: {path}", file=sys.stderr)
