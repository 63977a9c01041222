"""Speed of start-up, of the reasoning engine, and of batch evaluation.

    python benchmarks/bench_evaluate.py [--profile]   # figures for the README
    pytest benchmarks/bench_evaluate.py              # in-process timing via pytest-benchmark

Start-up: whole processes (median of several runs): ``mgpn evaluate one.yaml`` and
``mgpn --help`` against ``python -c "import pydantic, yaml"``, the floor of any program
that reads a YAML case into pydantic models.
Per case: evaluation in-process over the shared vignettes (../shared/cases, beside the
repository) or, without them, the bundled examples, against parsing the same files.
Batch: ``mgpn.evaluate_many`` over a few thousand case files with one worker per core,
against the same in this process alone, and ``mgpn evaluate --format json`` on them all.
``--profile`` prints the engine's top functions (cProfile, by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _table import Row

REPO = Path(__file__).resolve().parents[1]
SHARED_CASES = REPO / ".." / "shared" / "cases"
EXAMPLES = REPO / "src" / "mgpn" / "examples"
ONE_CASE = EXAMPLES / "anti-mag-neuropathy.yaml"


def case_files() -> list[Path]:
    shared = sorted(p for p in SHARED_CASES.glob("*.yaml") if p.name != "expectations.yaml")
    bundled = sorted(
        p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json") and "cohort" not in p.name
    )
    return shared + bundled


def _timed(function: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def _mgpn() -> str:
    return shutil.which("mgpn") or str(Path(sys.executable).with_name("mgpn"))


def _process(args: list[str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return run


def _cpu_seconds(args: list[str]) -> float:
    """User + system CPU time of one child process: steadier than wall time on a busy machine."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_utime + usage.ru_stime


def startup(repeat: int = 7) -> list[Row]:
    mgpn = _mgpn()
    commands = {
        "floor": [sys.executable, "-c", "import pydantic, yaml"],
        "one": [mgpn, "evaluate", str(ONE_CASE)],
        "json": [mgpn, "evaluate", "--format", "json", str(ONE_CASE)],
        "help": [mgpn, "--help"],
    }
    wall = {k: statistics.median(_timed(_process(c), repeat)) for k, c in commands.items()}
    cpu = {
        k: statistics.median(_cpu_seconds(c) for _ in range(repeat)) for k, c in commands.items()
    }
    baseline = 'python -c "import pydantic, yaml"'
    return [
        Row(
            "start-up: mgpn evaluate one.yaml (whole process, wall)",
            wall["one"],
            "s",
            baseline,
            wall["floor"],
            "≤ 3x",
        ),
        Row(
            "start-up: mgpn evaluate one.yaml (whole process, CPU)",
            cpu["one"],
            "s",
            baseline,
            cpu["floor"],
            "≤ 3x",
        ),
        Row(
            "start-up: mgpn evaluate --format json one.yaml (CPU)",
            cpu["json"],
            "s",
            baseline,
            cpu["floor"],
            "≤ 3x",
        ),
        Row("start-up: mgpn --help (CPU)", cpu["help"], "s", baseline, cpu["floor"]),
    ]


def per_case(repeat: int = 30) -> list[Row]:
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    files = case_files()
    cases = [load_case(path) for path in files]
    for case in cases:  # warm-up
        evaluate(case, kb)
    parse = statistics.median(_timed(lambda: [load_case(path) for path in files], repeat))
    engine = statistics.median(_timed(lambda: [evaluate(case, kb) for case in cases], repeat))
    tree = statistics.median(_timed(lambda: _interpreted(cases, kb), max(3, repeat // 3)))
    n = len(cases)
    return [
        Row(
            f"evaluation in-process, per case ({n} cases)",
            1000 * engine / n,
            "ms",
            "parsing the same case file",
            1000 * parse / n,
            "< 1 ms",
        ),
        Row(
            "evaluation in-process, per case, compiled predicates",
            1000 * engine / n,
            "ms",
            "the same walking the rule trees (logic.interpret)",
            1000 * tree / n,
        ),
    ]


def _interpreted(cases: list[Any], kb: Any) -> None:
    """Every case evaluated with the rule-tree interpreter instead of compiled closures."""
    from mgpn.engine import compiled, logic, rules
    from mgpn.engine import evaluate as run

    saved = compiled._compile
    compiled._CACHE.clear()
    rules._PLANS.clear()
    compiled._compile = lambda predicate: lambda facts: logic.interpret(predicate, facts)  # type: ignore[assignment]
    try:
        for case in cases:
            run(case, kb)
    finally:
        compiled._compile = saved
        compiled._CACHE.clear()
        rules._PLANS.clear()


def profile(top: int = 15) -> str:
    """The engine's top functions by own time over every case, repeated."""
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    cases = [load_case(path) for path in case_files()]
    for case in cases:
        evaluate(case, kb)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        for case in cases:
            evaluate(case, kb)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(line.replace(str(REPO) + "/", "") for line in lines[start : start + top + 1])


def batch(copies: int = 2000) -> list[Row]:
    from mgpn.batch import default_workers, evaluate_many

    sources = case_files()
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index in range(copies):
            source = sources[index % len(sources)]
            target = Path(folder, f"{index:05d}{source.suffix}")
            shutil.copyfile(source, target)
            files.append(target)
        workers = default_workers()
        serial = min(_timed(lambda: list(evaluate_many(files, workers=1, output="json")), 2))
        pooled = min(_timed(lambda: list(evaluate_many(files, workers=workers, output="json")), 2))
        cli = min(_timed(_process([_mgpn(), "evaluate", "--format", "json", *map(str, files)]), 2))
    return [
        Row(
            f"batch: evaluate_many, {copies} files, {workers} workers",
            copies / pooled,
            "cases/s",
            "the same in one process",
            copies / serial,
            f"≈ {workers}x (cores)",
            higher_is_better=True,
        ),
        Row(
            f"batch: mgpn evaluate --format json on {copies} files (whole process)",
            copies / cli,
            "cases/s",
            "evaluate_many in one process",
            copies / serial,
            higher_is_better=True,
        ),
    ]


def rows(quick: bool = False) -> list[Row]:
    return (
        startup(3 if quick else 7) + per_case(10 if quick else 30) + batch(500 if quick else 2000)
    )


def test_bench_evaluate_all_cases(benchmark: Any) -> None:
    """pytest-benchmark entry point: all cases evaluated once per round."""
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    cases = [load_case(path) for path in case_files()]
    benchmark(lambda: [evaluate(case, kb) for case in cases])


def main() -> None:
    from _table import machine, markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--profile", action="store_true", help="print the engine's top functions")
    args = parser.parse_args()
    print(machine())
    print(markdown(rows(args.quick)))
    if args.profile:
        print("\nEngine profile (top functions by own time):\n" + profile())


if __name__ == "__main__":
    main()
