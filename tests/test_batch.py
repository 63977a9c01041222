"""Batch evaluation: many cases, in parallel, in order, one bad input stopping nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mgpn
from mgpn.batch import BatchItem, evaluate_many
from mgpn.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "mgpn" / "examples"
GOOD = sorted(
    p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json") and "cohort" not in p.name
)


@pytest.fixture()
def many_files(tmp_path: Path) -> list[Path]:
    """70 files (more than the in-process threshold): the examples over and over, two bad."""
    files: list[Path] = []
    for index in range(70):
        source = GOOD[index % len(GOOD)]
        target = tmp_path / f"{index:03d}-{source.name}"
        shutil.copyfile(source, target)
        files.append(target)
    files[5].write_text("format: mgpn-case/1\nneuropathy:\n  sensory_ataxai: true\n", "utf-8")
    files[40] = tmp_path / "missing.yaml"
    return files


def expected_json(path: Path) -> dict[str, object]:
    return mgpn.evaluate(mgpn.load_case(path)).to_json_dict()


def test_pool_keeps_order_and_reports_each_error(many_files: list[Path]) -> None:
    items = list(evaluate_many(many_files, workers=2))
    assert [item.index for item in items] == list(range(len(many_files)))
    assert [item.source for item in items] == [str(p) for p in many_files]
    bad = {item.index for item in items if item.error is not None}
    assert bad == {5, 40}
    assert isinstance(items[5].error, mgpn.CaseError)
    assert "neuropathy.sensory_ataxai" in str(items[5].error)  # issues survive the process hop
    assert items[5].error.issues[0].path == "neuropathy.sensory_ataxai"
    assert "file not found" in str(items[40].error)
    for item in items:
        if item.error is None:
            assert item.assessment is not None
            assert item.assessment.to_json_dict() == expected_json(many_files[item.index])


def test_pool_and_in_process_agree_on_json(many_files: list[Path]) -> None:
    pooled = [i.rendered for i in evaluate_many(many_files, workers=2, output="json")]
    serial = [i.rendered for i in evaluate_many(many_files, workers=1, output="json")]
    assert pooled == serial
    first = next(i for i, text in enumerate(pooled) if text is not None)
    assert json.loads(pooled[first] or "") == expected_json(many_files[first])


def test_cases_and_mappings_are_accepted() -> None:
    case = mgpn.load_case(GOOD[0])
    mapping = mgpn.dump_case(mgpn.load_case(GOOD[1]))
    items = list(evaluate_many([case, mapping, {"format": "mgpn-case/1", "labz": {}}, 42]))  # type: ignore[list-item]
    assert [item.ok for item in items] == [True, True, False, False]
    assert items[0].assessment == mgpn.evaluate(case)
    assert items[2].error is not None and "labz" in str(items[2].error)
    assert items[3].error is not None and "not a case" in str(items[3].error)


def test_a_lazy_iterable_is_consumed_as_results_leave(many_files: list[Path]) -> None:
    """Stopping early neither hangs nor evaluates the whole (here endless) input."""

    def endless() -> object:
        while True:
            yield from many_files

    taken: list[BatchItem] = []
    for item in evaluate_many(endless(), workers=2):  # type: ignore[arg-type]
        taken.append(item)
        if len(taken) == 150:
            break
    assert [item.index for item in taken] == list(range(150))


def test_cli_evaluates_many_files_in_order(many_files: list[Path]) -> None:
    result = CliRunner().invoke(
        app, ["evaluate", "--format", "json", "--workers", "2", *map(str, many_files)]
    )
    assert result.exit_code == 1  # two files were refused (exit_codes.INPUT_REFUSED)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    good = [p for i, p in enumerate(many_files) if i not in (5, 40)]
    assert len(lines) == len(good)
    assert [line["case_id"] for line in lines] == [expected_json(p)["case_id"] for p in good]
    assert "refused" in result.stderr and "missing.yaml" in result.stderr
