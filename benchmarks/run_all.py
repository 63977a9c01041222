"""Every benchmark, one after the other, in one table: figure, baseline in the same run, ratio.

    python benchmarks/run_all.py            # full (about 5 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # fewer repetitions, 100,000 cohort rows, 5 s loads

Benchmarks run one at a time (each measures a whole machine's worth of work); run
them on an otherwise idle machine, or say that it was not. Prints Markdown, ready for
docs/benchmarks.md, with the machine and its load average at the start.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cohort
import bench_evaluate
import bench_web
import profile_web
from _table import Row, machine, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", default="", help="comma-separated: evaluate,web,webcpu,cohort")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(machine(), flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    if "evaluate" not in skip:
        rows += bench_evaluate.rows(quick=args.quick)
    if "web" not in skip:
        rows += bench_web.rows(seconds=5 if args.quick else 10)
    if "webcpu" not in skip:  # the web layer's CPU per request in-process, the engine's share apart
        rows += profile_web.reader_rows() + profile_web.rows(requests=150 if args.quick else 300)
    if "cohort" not in skip:
        rows += bench_cohort.rows(100_000 if args.quick else 1_000_000)
    print(markdown(rows))
    if "evaluate" not in skip:
        print("\nEngine profile (top functions by own time):\n" + bench_evaluate.profile())
    print(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
