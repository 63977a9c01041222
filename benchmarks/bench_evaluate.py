"""Speed of the reasoning engine.

    python benchmarks/bench_evaluate.py            # figures for the README
    pytest benchmarks/bench_evaluate.py            # the same in-process timing via pytest-benchmark

Measures (1) evaluation time per case in-process, against a baseline measured in the same
run (parsing the same case files), and (2) ``mgpn evaluate`` on all shared cases as one
process, against the start-up of ``mgpn --help``. Uses ../shared/cases (the folder beside
the repo) and falls back to the bundled examples when it is absent.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_CASES = REPO / ".." / "shared" / "cases"


def case_files() -> list[Path]:
    folder = SHARED_CASES if SHARED_CASES.is_dir() else REPO / "src" / "mgpn" / "examples"
    return sorted(p for p in folder.glob("*.yaml") if p.name != "expectations.yaml")


def _timed(function: Any, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def in_process(repeat: int = 20) -> dict[str, float]:
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    files = case_files()
    cases = [load_case(path) for path in files]
    for case in cases:  # warm-up
        evaluate(case, kb)
    parse = _timed(lambda: [load_case(path) for path in files], repeat)
    engine = _timed(lambda: [evaluate(case, kb) for case in cases], repeat)
    n = len(cases)
    return {
        "cases": n,
        "evaluate_ms_per_case": 1000 * statistics.median(engine) / n,
        "parse_ms_per_case": 1000 * statistics.median(parse) / n,
        "ratio_evaluate_to_parse": statistics.median(engine) / statistics.median(parse),
    }


def whole_process(repeat: int = 3) -> dict[str, float]:
    command = shutil.which("mgpn") or str(Path(sys.executable).with_name("mgpn"))
    files = [str(path) for path in case_files()]
    run = lambda args: subprocess.run(  # noqa: E731 - a one-line helper reads best here
        [command, *args], check=False, capture_output=True
    )
    startup = _timed(lambda: run(["--help"]), repeat)
    full = _timed(lambda: run(["evaluate", *files, "--format", "json"]), repeat)
    return {
        "files": len(files),
        "mgpn_evaluate_all_s": statistics.median(full),
        "mgpn_help_s": statistics.median(startup),
        "ratio_to_startup": statistics.median(full) / statistics.median(startup),
    }


def test_bench_evaluate_all_cases(benchmark: Any) -> None:
    """pytest-benchmark entry point: all cases evaluated once per round."""
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    cases = [load_case(path) for path in case_files()]
    benchmark(lambda: [evaluate(case, kb) for case in cases])


if __name__ == "__main__":
    inside = in_process()
    print(f"in-process: {inside['cases']} cases, {inside['evaluate_ms_per_case']:.2f} ms/case "
          f"(parsing {inside['parse_ms_per_case']:.2f} ms/case; ratio {inside['ratio_evaluate_to_parse']:.1f}x)")
    outside = whole_process()
    print(f"whole process: mgpn evaluate on {outside['files']} files in {outside['mgpn_evaluate_all_s']:.2f} s "
          f"(mgpn --help {outside['mgpn_help_s']:.2f} s; ratio {outside['ratio_to_startup']:.1f}x)")
