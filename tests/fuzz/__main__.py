"""``python -m tests.fuzz [--seconds N] [--count N] [--seed N] [--save DIR]``: a long fuzzing run.

Every door (load_case, mgpn validate, the API on a throw-away SQLite database), in a
worker process that is killed and replaced when an input hangs; exits 1
when any input gave a foreign exception, a hang or a silent change of meaning.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.fuzz.harness import fuzz


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seconds", type=float, default=600.0, help="stop after this long")
    parser.add_argument("--count", type=int, default=10**9, help="stop after this many inputs")
    parser.add_argument("--seed", type=int, default=1, help="random seed (a run repeats exactly)")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds allowed per input")
    parser.add_argument("--every", type=int, default=5, help="validate and API on every N-th input")
    parser.add_argument("--save", type=Path, default=None, help="write failing inputs here")
    args = parser.parse_args()
    report = fuzz(
        count=args.count,
        seconds=args.seconds,
        seed=args.seed,
        time_limit=args.time_limit,
        every=args.every,
        save=args.save,
    )
    print(report.summary())
    for door, where, problem in report.failures[:50]:
        print(f"  {door}: {where}\n    {problem}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
