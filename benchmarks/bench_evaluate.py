"""Speed of start-up, of the reasoning engine, and of batch evaluation.

    python benchmarks/bench_evaluate.py [--profile]   # figures for the README
    python benchmarks/bench_evaluate.py --startup     # start-up only, with an import-time table
    python benchmarks/bench_evaluate.py --per-case --against main --profile
                                                     # the engine against an earlier commit
    pytest benchmarks/bench_evaluate.py              # in-process timing via pytest-benchmark

Start-up: whole processes (median of several interleaved runs, after one warm-up run
that fills the byte-code and knowledge-base caches): ``mgpn evaluate one.yaml``,
``mgpn --help`` and ``import mgpn`` against ``python -c "import pydantic, yaml"``, the
floor of any program that reads a YAML case into pydantic models.
Per case: evaluation in-process over the shared vignettes (../shared/cases, beside the
repository) and the bundled examples, in CPU time (``time.process_time``: steadier than
wall time on a shared machine), against parsing the same files, against the same engine
walking the rule trees, against validating the finished assessment alone (what building
the output with pydantic's validator would cost), and with ``--against REV`` against the
engine of an earlier commit (``git archive REV src``, run in a child process).
Batch: ``mgpn.evaluate_many`` over a few thousand case files with one worker per core,
against the same in this process alone, and ``mgpn evaluate --format json`` on them all.
``--profile`` prints the engine's top functions (cProfile, by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
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


def _child_environment() -> dict[str, str]:
    # As a user's installation runs: byte-code caches written and used (an installed
    # wheel ships them; PYTHONDONTWRITEBYTECODE, set on some CI machines, would make
    # every run compile mgpn's sources again and measure the compiler).
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, user + system CPU seconds) of one child process.

    CPU time is steadier than wall time on a busy machine."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def startup(repeat: int = 7) -> list[Row]:
    mgpn = _mgpn()
    commands = {
        "floor": [sys.executable, "-c", "import pydantic, yaml"],
        "one": [mgpn, "evaluate", str(ONE_CASE)],
        "json": [mgpn, "evaluate", "--format", "json", str(ONE_CASE)],
        "help": [mgpn, "--help"],
        "import": [sys.executable, "-c", "import mgpn"],
        # What mgpn evaluate cannot do without, before any code of its own: pydantic's
        # models (the floor imports only pydantic's package and core), the command line
        # and terminal libraries, and importlib.metadata (pydantic imports it to look for
        # plugins when it builds its first validator).
        "libraries": [
            sys.executable,
            "-c",
            "import pydantic, yaml, typer, rich.console, rich.table, importlib.metadata; "
            "from pydantic import BaseModel, TypeAdapter",
        ],
    }
    env = _child_environment()
    for command in commands.values():  # warm: byte-code and the knowledge-base cache
        _run_measured(command, env)
    wall: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(repeat):  # interleaved, so a change in load touches every command alike
        for key, command in commands.items():
            seconds, used = _run_measured(command, env)
            wall[key].append(seconds)
            cpu[key].append(used)
    w = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    baseline = 'python -c "import pydantic, yaml"'
    return [
        Row("start-up: mgpn evaluate one.yaml (whole process, wall)", w["one"], "s", baseline, w["floor"], "≤ 3x"),
        Row("start-up: mgpn evaluate one.yaml (whole process, CPU)", c["one"], "s", baseline, c["floor"], "≤ 3x"),
        Row("start-up: mgpn evaluate --format json one.yaml (CPU)", c["json"], "s", baseline, c["floor"], "≤ 3x"),
        Row("start-up: mgpn --help (CPU)", c["help"], "s", baseline, c["floor"]),
        Row("start-up: python -c \"import mgpn\" (CPU)", c["import"], "s", baseline, c["floor"]),
        Row(
            "start-up: the libraries alone (pydantic models, typer, rich; CPU)",
            c["libraries"],
            "s",
            baseline,
            c["floor"],
        ),
    ]


def import_times(top: int = 14) -> str:
    """Where ``mgpn evaluate one.yaml`` spends its import time: own time per package.

    From ``python -X importtime``; a module's own time includes building the pydantic
    models and dataclasses it defines. One run, so read the shares, not the values."""
    command = [sys.executable, "-X", "importtime", _mgpn(), "evaluate", str(ONE_CASE)]
    env = _child_environment()
    subprocess.run(command, capture_output=True, env=env, check=False)  # warm
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    packages: dict[str, int] = {}
    ours: dict[str, int] = {}
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        own, name = int(parts[0]), parts[2].strip()
        top_level = name.split(".")[0]
        packages[top_level] = packages.get(top_level, 0) + own
        if top_level == "mgpn":
            ours[name] = ours.get(name, 0) + own
    total = sum(packages.values())
    lines = ["| package (own import time) | ms | share |", "|---|---:|---:|"]
    for name, micros in sorted(packages.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| {name} | {micros / 1000:.0f} | {100 * micros / total:.0f} % |")
    lines.append(f"| all imports | {total / 1000:.0f} | 100 % |")
    lines += ["", "| mgpn module (own import time) | ms |", "|---|---:|"]
    for name, micros in sorted(ours.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| {name} | {micros / 1000:.0f} |")
    return "\n".join(lines)


def _cpu(function: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in CPU seconds of this process."""
    best = math.inf
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def engine_and_parse(repeat: int = 30) -> dict[str, float]:
    """CPU ms per case: evaluating the cases, and parsing their files (any engine version)."""
    from mgpn.case import load_case
    from mgpn.engine import evaluate
    from mgpn.knowledge import load_knowledge

    kb = load_knowledge()
    files = case_files()
    cases = [load_case(path) for path in files]
    for case in cases:  # warm-up: the knowledge base compiled, caches filled
        evaluate(case, kb)
    n = len(cases)
    # Interleaved, so a change in the machine's load touches both alike.
    parse = engine = math.inf
    for _ in range(max(1, repeat // 5)):
        parse = min(parse, _cpu(lambda: [load_case(path) for path in files], 2))
        engine = min(engine, _cpu(lambda: [evaluate(case, kb) for case in cases], 5))
    return {"engine": 1000 * engine / n, "parse": 1000 * parse / n, "cases": n}


def _earlier_engine(revision: str, repeat: int) -> dict[str, float]:
    """:func:`engine_and_parse` run on the source tree of ``revision``, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_evaluate as b; "
            "print(json.dumps(b.engine_and_parse(int(sys.argv[2]))))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(Path(__file__).parent), str(repeat)],
            check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(folder, "src"))},
        ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def per_case(repeat: int = 30, against: str | None = None) -> list[Row]:
    from mgpn.assessment import Assessment
    from mgpn.case import load_case
    from mgpn.knowledge import load_knowledge

    earlier = _earlier_engine(against, repeat) if against else None
    now = engine_and_parse(repeat)
    n, engine = int(now["cases"]), now["engine"]
    kb = load_knowledge()
    cases = [load_case(path) for path in case_files()]
    tree = 1000 * _cpu(lambda: _interpreted(cases, kb), max(2, repeat // 10)) / n
    from mgpn.engine import evaluate

    dumps = [evaluate(case, kb).model_dump() for case in cases]
    validate = 1000 * _cpu(lambda: [Assessment.model_validate(d) for d in dumps], 5) / n
    rows = [
        Row(
            f"evaluation in-process, per case ({n} cases, CPU)",
            engine, "ms", "parsing the same case file", now["parse"], "< 1 ms",
        ),
        Row(
            "evaluation in-process, per case, compiled rules",
            engine, "ms", "the same walking the rule trees (logic.interpret)", tree,
        ),
        Row(
            "evaluation in-process, per case (output built unvalidated)",
            engine, "ms", "validating the finished assessment alone (model_validate)", validate,
        ),
    ]  # fmt: skip
    if earlier is not None:
        figure = f"evaluation in-process, per case, this tree vs {against}"
        rows.append(Row(figure, engine, "ms", f"the engine at {against}", earlier["engine"]))
    return rows


def _interpreted(cases: list[Any], kb: Any) -> None:
    """Every case evaluated with the rule-tree interpreter instead of compiled rules."""
    from mgpn.engine import compiled, logic, prepared, rules
    from mgpn.engine import evaluate as run

    def forget() -> None:
        compiled._CACHE.clear()
        rules._PLANS.clear()
        prepared.forget()

    saved = compiled._compile
    compiled._compile = lambda predicate: lambda facts: logic.interpret(predicate, facts)  # type: ignore[assignment]
    compiled.GENERATE = False
    forget()
    try:
        for case in cases:
            run(case, kb)
    finally:
        compiled._compile = saved
        compiled.GENERATE = True
        forget()


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


def rows(quick: bool = False, against: str | None = None) -> list[Row]:
    return (
        startup(3 if quick else 7)
        + per_case(10 if quick else 30, against)
        + batch(500 if quick else 2000)
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
    parser.add_argument(
        "--startup", action="store_true", help="start-up only, with its import-time table"
    )
    parser.add_argument("--per-case", action="store_true", help="only the per-case figures")
    parser.add_argument("--against", metavar="REV", help="also time the engine of this commit")
    args = parser.parse_args()
    print(machine())
    if args.startup:
        print(markdown(startup(5 if args.quick else 11)))
        print("\nImport time of mgpn evaluate one.yaml:\n" + import_times())
        return
    if args.per_case:
        print(markdown(per_case(10 if args.quick else 30, args.against)))
    else:
        print(markdown(rows(args.quick, args.against)))
    if args.profile:
        print("\nEngine profile (top functions by own time):\n" + profile())


if __name__ == "__main__":
    main()
