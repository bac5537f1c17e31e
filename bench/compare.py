#!/usr/bin/env python3
"""Runs asynclab's runtime_bench and the Tokio twin side by side and prints ratios.

Machines here are noisy, so each workload is run ROUNDS times alternating the two programs, and the
fastest run of each is kept (the least disturbed one). Ratios are asynclab / tokio ns_per_op: below
1.0 means asynclab is faster.

    bench/compare.py --bench build/release/bench/runtime_bench --twin /tmp/tokio-twin/release/tokio-twin
"""
import argparse
import json
import re
import subprocess
import sys

TARGETS = {"asynclab": 0.5, "asynclab-traced": 0.8, "asynclab-traced-realtime": 0.8}
# The multi-threaded runtime (issue 4): untraced within 0.8x of tokio's multi_thread runtime.
TARGETS_MT = {"asynclab": 0.8, "asynclab-traced": 0.8, "asynclab-traced-realtime": 0.8}


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True, help="path to asynclab's runtime_bench")
    p.add_argument("--twin", required=True, help="path to the built tokio-twin")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=0, help="multi-threaded runs (both sides)")
    p.add_argument("workloads", nargs="*")
    args = p.parse_args()

    best = {}  # (workload, runtime) -> (ns_per_op, record)
    extra = ["--workers", str(args.workers)] if args.workers else []
    for _ in range(args.rounds):
        for w in args.workloads or [None]:
            names = [w] if w else []
            for rec in run([args.twin, *extra, *names]) + run([args.bench, *extra, *names]):
                key = (rec["workload"], re.sub(r"-mt-\d+$", "", rec["runtime"]))
                if key not in best or rec["ns_per_op"] < best[key][0]:
                    best[key] = (rec["ns_per_op"], rec)

    targets = TARGETS_MT if args.workers else TARGETS
    workloads = sorted({w for (w, r) in best if r.startswith("asynclab")}, key=lambda w: list(best).index((w, "asynclab")) if (w, "asynclab") in best else 0)
    print(f"{'workload':<18} {'tokio ns':>9} {'asynclab':>9} {'ratio':>6} {'traced':>7} {'ratio':>6} {'traced-rt':>9} {'ratio':>6} {'B/event':>8}")
    failed = False
    for w in workloads:
        if (w, "tokio") not in best:
            continue
        tokio = best[(w, "tokio")][0]
        row = f"{w:<18} {tokio:>9.1f}"
        for runtime in ("asynclab", "asynclab-traced", "asynclab-traced-realtime"):
            if (w, runtime) in best:
                ns = best[(w, runtime)][0]
                ratio = ns / tokio
                failed |= ratio > targets[runtime]
                mark = "" if ratio <= targets[runtime] else "!"
                row += f" {ns:>9.1f} {ratio:>5.2f}{mark or ' '}"
            else:
                row += f" {'-':>9} {'-':>5} "  # not run (virtual time has no worker threads)
        bpe = best.get((w, "asynclab-traced"), (0, {}))[1].get("bytes_per_event")
        row += f" {bpe:>8.2f}" if bpe else ""
        print(row)
    if args.workers:
        print(f"targets ({args.workers} workers, both sides): untraced and traced <= 0.8x tokio untraced ('!' marks a miss)")
    else:
        print("targets: untraced <= 0.5x tokio, traced <= 0.8x tokio untraced ('!' marks a miss)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
