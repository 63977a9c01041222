"""Start-up stays lean: the everyday commands never import the heavy libraries.

``import mgpn``, ``mgpn --help``, ``mgpn validate`` and ``mgpn evaluate`` run in a fresh
interpreter (a subprocess), which then lists the modules it has imported. Plotting, web,
statistics, database and PDF libraries belong to the commands that use them; so do
mgpn's own faces (templates and Jinja2 for HTML and PDF, the FHIR mapping, the process
pool of large batches, the web app). One eager import at module level anywhere on the
path of these commands fails this test. How long start-up takes is measured in
``benchmarks/`` (not a timed test).
"""

from __future__ import annotations

import json
import os
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
print(json.dumps(sorted(sys.modules)))
"""

# mgpn's own modules (and what only they import) that the everyday commands leave alone.
LAZY = (
    "concurrent.futures.process",  # the process pool of mgpn.batch, for 64 cases or more
    "jinja2",
    "mgpn.cdshooks",
    "mgpn.cohort",
    "mgpn.interop.fhir.codemap",
    "mgpn.interop.fhir.export",
    "mgpn.interop.fhir.mapping",
    "mgpn.interop.fhir.report",
    "mgpn.outcomes",
    "mgpn.report.html",
    "mgpn.report.pdf",
    "mgpn.report.view",
    "mgpn.screening",
    "mgpn.web",
    "multiprocessing.pool",
)


def modules_of(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module (dotted name) the program imported for ``mgpn argv...``."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return set(modules)


def imported_by(*argv: str) -> set[str]:
    """The top-level packages the program imported for ``mgpn argv...``."""
    return {name.split(".")[0] for name in modules_of(*argv)}


def _under(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


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
    modules = modules_of(*argv)
    assert "mgpn" in modules  # the probe really ran the program
    assert sorted({m.split(".")[0] for m in modules} & set(HEAVY)) == []
    assert _under(modules, LAZY) == []


def test_import_mgpn_loads_no_model_until_a_name_is_used() -> None:
    modules = modules_of("import")
    assert _under(modules, ("pydantic", "yaml", "mgpn.case", "mgpn.engine", "mgpn.batch")) == []


def test_help_imports_no_command_module() -> None:
    """``mgpn --help`` lists every command from the table in mgpn.cli.main alone."""
    modules = modules_of("--help")
    assert sorted(m for m in modules if m.startswith("mgpn.")) == [
        "mgpn.cli",
        "mgpn.cli.main",
        "mgpn.errors",
        "mgpn.lazy_exports",
    ]
    assert _under(modules, ("pydantic", "yaml")) == []


def test_evaluate_imports_only_its_own_command_and_renderer() -> None:
    modules = modules_of("evaluate", str(EXAMPLES / "anti-mag-neuropathy.yaml"))
    commands = sorted(m for m in modules if m.startswith("mgpn.cli."))
    assert commands == ["mgpn.cli.evaluate", "mgpn.cli.exit_codes", "mgpn.cli.main"]
    assert "mgpn.report.text" in modules
    assert "mgpn.report.markdown" not in modules


def test_a_cached_knowledge_base_is_not_checked_again(tmp_path: Path) -> None:
    """The first run reads and checks the knowledge base; the next takes it from the cache."""
    env = {"MGPN_CACHE_DIR": str(tmp_path / "cache"), "MGPN_NO_CACHE": ""}  # cache on
    case = str(EXAMPLES / "anti-mag-neuropathy.yaml")
    first = modules_of("evaluate", case, env=env)
    second = modules_of("evaluate", case, env=env)
    assert "mgpn.knowledge.checks" in first
    assert _under(second, ("mgpn.knowledge.checks", "mgpn.knowledge.vocabulary")) == []


def test_json_output_needs_no_terminal_renderer() -> None:
    modules = modules_of("evaluate", "--format", "json", str(EXAMPLES / "poems-suspected.json"))
    assert _under(modules, ("rich", "mgpn.report")) == []


def test_a_fhir_bundle_loads_the_mapping_it_needs(tmp_path: Path) -> None:
    """The probe sees lazy modules arrive when a command needs them."""
    from mgpn.case import load_case
    from mgpn.interop.fhir import case_to_bundle

    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps(case_to_bundle(load_case(EXAMPLES / "anti-mag-neuropathy.yaml"))),
        encoding="utf-8",
    )
    modules = modules_of("evaluate", "--format", "markdown", str(bundle))
    assert "mgpn.interop.fhir.mapping" in modules
    assert "mgpn.report.markdown" in modules
    assert "jinja2" not in modules


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
