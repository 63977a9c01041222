"""Benchmark: ``mgpn cohort analyze`` on a 100,000-row synthetic cohort.

Run ``python benchmarks/bench_cohort.py [--rows 100000]``. Each measurement runs in
a fresh Python process so its peak resident memory (``resource.getrusage``) is its
own; ``tracemalloc`` adds the peak of Python-visible allocations (numpy included,
polars' Rust buffers not). Times are compared with baselines measured in the same
run: reading and validating the file alone, and the same analysis on a tenth of
the rows. Synthetic data: the numbers say how fast the program is, nothing else.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from mgpn.cohort.simulate import default_parameters, simulate_cohort


def write_cohort(rows: int, path: Path) -> None:
    params = default_parameters()
    total = sum(params.group_sizes.values())
    sizes = {name: round(rows * n / total) for name, n in params.group_sizes.items()}
    sizes["control"] += rows - sum(sizes.values())
    simulate_cohort(1, params.model_copy(update={"group_sizes": sizes})).write_csv(path)


def measure(task: str, path: Path) -> dict[str, float]:
    """Run one task in this (child) process; time, tracemalloc peak, peak RSS."""
    from mgpn.cohort import analyze_cohort, load_cohort
    from mgpn.cohort import plots as _plots  # noqa: F401  (import cost counted in every row)

    tracemalloc.start()
    start = time.perf_counter()
    cohort = load_cohort(path) if task != "import" else None
    if cohort is not None and task in ("json", "html"):
        analysis = analyze_cohort(cohort)
        output = analysis.to_json() if task == "json" else analysis.to_html()
        assert output
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "seconds": seconds,
        "traced_peak_mib": traced_peak / 2**20,
        "rss_peak_mib": rss_kib / 1024,
    }


def run_child(task: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", task, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, metavar=("TASK", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder, "big.csv"), Path(folder, "small.csv")
        write_cohort(args.rows, big)
        write_cohort(args.rows // 10, small)
        results = {
            "imports only (baseline memory)": run_child("import", big),
            f"read+validate {args.rows} rows": run_child("read", big),
            f"analyze --format json, {args.rows // 10} rows": run_child("json", small),
            f"analyze --format json, {args.rows} rows": run_child("json", big),
            f"analyze --format html, {args.rows} rows": run_child("html", big),
        }
    print(f"{'measurement':45} {'seconds':>8} {'RSS peak MiB':>13} {'traced peak MiB':>16}")
    for name, r in results.items():
        print(
            f"{name:45} {r['seconds']:8.2f} {r['rss_peak_mib']:13.0f} {r['traced_peak_mib']:16.1f}"
        )
    values = list(results.values())
    print(
        f"analyze(json) / read alone, {args.rows} rows: {values[3]['seconds'] / values[1]['seconds']:.1f}x"
    )
    print(
        f"analyze(json) {args.rows} rows / {args.rows // 10} rows: "
        f"{values[3]['seconds'] / values[2]['seconds']:.1f}x time for 10x rows"
    )


if __name__ == "__main__":
    main()
