"""Start-up stays lean: the everyday commands never import the heavy libraries.

``import mgpn``, ``mgpn validate`` and ``mgpn evaluate`` run in a fresh interpreter
(a subprocess), which then lists the top-level modules it has imported. Plotting, web,
statistics, database and PDF libraries belong to the commands that use them; one
eager import at module level anywhere on the path of these commands fails this test.
How long start-up takes is measured in ``benchmarks/`` (not a timed test).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "mgpn" / "examples"
HEAVY = (
    "duckdb",
    "fastapi",
    "matplotlib",
    "numpy",
    "polars",
    "pyspark",
    "scipy",
    "sqlalchemy",
    "starlette",
    "statsmodels",
    "uvicorn",
    "weasyprint",
)

# Runs the command given as arguments in-process, then prints the imported top-level
# module names as JSON on the last line of standard output.
_PROBE = """
import json, sys
argv = sys.argv[1:]
if argv == ["import"]:
    import mgpn  # noqa: F401
else:
    from mgpn.cli.main import run
    sys.argv = ["mgpn", *argv]
    try:
        run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
print()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_by(*argv: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return set(modules)


@pytest.mark.parametrize(
    "argv",
    [
        ("import",),
        ("--help",),
        ("validate", str(EXAMPLES / "anti-mag-neuropathy.yaml")),
        ("evaluate", str(EXAMPLES / "anti-mag-neuropathy.yaml")),
        ("evaluate", "--format", "json", str(EXAMPLES / "poems-suspected.json")),
        ("evaluate", "--format", "markdown", str(EXAMPLES / "al-amyloid-red-flags.yaml")),
    ],
    ids=["import-mgpn", "help", "validate", "evaluate-text", "evaluate-json", "evaluate-md"],
)
def test_everyday_commands_import_no_heavy_library(argv: tuple[str, ...]) -> None:
    modules = imported_by(*argv)
    assert "mgpn" in modules  # the probe really ran the program
    assert sorted(modules & set(HEAVY)) == []


def test_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The probe can fail: a command that draws a chart is seen importing matplotlib."""
    chart = tmp_path / "chart.svg"
    modules = imported_by(
        "outcomes", str(EXAMPLES / "anti-mag-follow-up.yaml"), "--plot", str(chart)
    )
    assert chart.stat().st_size > 0
    assert "matplotlib" in modules


def test_cohort_loading_leaves_statistics_and_plotting_unloaded() -> None:
    """Reading and validating a cohort needs polars only; scipy loads with the tests."""
    probe = (
        "import json, sys\n"
        "from mgpn.cohort import load_cohort\n"
        f"load_cohort({str(EXAMPLES / 'cohort-synthetic.csv')!r})\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    modules = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "polars" in modules
    assert (
        sorted(modules & {"scipy", "statsmodels", "scikit_posthocs", "pandas", "matplotlib"}) == []
    )
