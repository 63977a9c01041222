"""Benchmark: ``mgpn cohort analyze`` on a large synthetic cohort, against a plain script.

    python benchmarks/bench_cohort.py [--rows 1000000]

Each measurement is a fresh Python process (``/usr/bin/time``-style: wall time of the
whole process, peak resident memory from ``resource.getrusage`` of the child), so
imports and reading count as a user sees them:

* ``mgpn cohort analyze FILE --format json`` (validation, every test, the JSON report);
* the baseline: ``benchmarks/cohort_baseline.py``, the same tests as a plain
  polars + scipy script (typed read, no validation, no report).

Synthetic data: the numbers say how fast the program is, nothing about patients.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _table import Row

HERE = Path(__file__).resolve().parent


def write_cohort(rows: int, path: Path) -> None:
    from mgpn.cohort.simulate import default_parameters, simulate_cohort

    params = default_parameters()
    total = sum(params.group_sizes.values())
    sizes = {name: round(rows * n / total) for name, n in params.group_sizes.items()}
    sizes["control"] += rows - sum(sizes.values())
    simulate_cohort(1, params.model_copy(update={"group_sizes": sizes})).write_csv(path)


def run_child(command: list[str]) -> tuple[float, float]:
    """Measure in a fresh intermediate process so the peak RSS is this command's alone."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    seconds, kib = out.stdout.split()
    return float(seconds), float(kib) / 1024


def rows(count: int = 1_000_000, repeat: int = 1) -> list[Row]:
    mgpn = shutil.which("mgpn") or str(Path(sys.executable).with_name("mgpn"))
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder, "cohort.csv")
        write_cohort(count, data)
        ours = [
            run_child([mgpn, "cohort", "analyze", str(data), "--format", "json"])
            for _ in range(repeat)
        ]
        base = [
            run_child([sys.executable, str(HERE / "cohort_baseline.py"), str(data)])
            for _ in range(repeat)
        ]
    seconds, peak = min(s for s, _ in ours), min(m for _, m in ours)
    base_seconds, base_peak = min(s for s, _ in base), min(m for _, m in base)
    label = f"cohort analyze --format json, {count:,} rows"
    return [
        Row(f"{label}: time", seconds, "s", "plain polars+scipy script", base_seconds, "≤ 1.5x"),
        Row(f"{label}: peak memory", peak, "MiB", "plain polars+scipy script", base_peak, "≤ 1.5x"),
    ]


def main() -> None:
    from _table import machine, markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(machine())
    print(markdown(rows(args.rows, args.repeat)))


if __name__ == "__main__":
    main()
