"""The synthetic export: the source review's prevalences, and the same seed gives the same export."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mgpn.screening.synth import Generator, _pick, generate, load_parameters


def _digest(directory: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(directory.glob("*")):
        sha.update(path.read_bytes())
    return sha.hexdigest()


def test_same_seed_same_export(tmp_path: Path) -> None:
    generate(tmp_path / "a", 40, 5)
    generate(tmp_path / "b", 40, 5)
    generate(tmp_path / "c", 40, 6)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")


def test_prevalence_by_age_matches_the_review() -> None:
    params = load_parameters()
    gen = Generator(params, seed=1)
    draws = 40_000
    over_70 = sum(gen.has_mg(age) for age in [75] * draws) / draws
    assert abs(over_70 - 0.053) < 0.006
    hi = params["adult_age_range"][1]
    ages = [gen.rng.randint(50, hi) for _ in range(draws)]
    over_50 = sum(gen.has_mg(age) for age in ages) / draws
    assert abs(over_50 - 0.032) < 0.005
    assert not any(gen.has_mg(40) for _ in range(2000))


def test_isotype_mix_matches_the_review() -> None:
    params = load_parameters()
    gen = Generator(params, seed=2)
    draws = 40_000
    counts: dict[str, int] = {}
    for _ in range(draws):
        name = _pick(gen.rng, params["isotype_mix"])
        counts[name] = counts.get(name, 0) + 1
    assert abs(counts["IgG"] / draws - 0.56) < 0.01
    assert abs(counts["IgM"] / draws - 0.20) < 0.01


def test_realistic_shape(tmp_path: Path) -> None:
    result = generate(tmp_path, 60, 3)
    size = sum(path.stat().st_size for path in tmp_path.glob("*.ndjson"))
    assert 20_000 < size / 60 < 36_000  # about 28 KB per patient
    observations = sum(1 for _ in (tmp_path / "Observation.ndjson").open()) / 60
    assert 28 <= observations <= 34
    assert result.patients == 60


def test_a_sharded_export_is_the_same_for_any_number_of_jobs(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", 50, 7, defects=True, shard_patients=20)
    two = generate(tmp_path / "two", 50, 7, defects=True, shard_patients=20, jobs=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
    assert (tmp_path / "one" / "Observation.002.ndjson").is_file() and one.files == two.files
    ids = [line.split('"id":"')[1].split('"')[0]
           for path in sorted((tmp_path / "one").glob("Patient.*.ndjson"))
           for line in path.read_text().splitlines()]  # fmt: skip
    assert len(ids) == len(set(ids)) == 50
    # the first shard is what an export of that size alone would be
    generate(tmp_path / "alone", 20, 7)
    assert (tmp_path / "alone" / "Observation.ndjson").read_bytes() == (
        tmp_path / "one" / "Observation.000.ndjson"
    ).read_bytes()


def test_sharded_export_screens_to_its_truth(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    from mgpn.screening.run import screen

    generate(tmp_path / "export", 60, 8, defects=True, shard_patients=25,
             overrides={"mg_share": 0.5, "neuropathy_with_mg": 0.6})  # fmt: skip
    truth = json.loads((tmp_path / "export" / "truth.json").read_text())
    run = screen(tmp_path / "export", tmp_path / "out", workers=1)
    found = {
        (r["patient"], r["gap_id"])
        for r in pq.read_table(str(run.out / "gaps.parquet")).to_pylist()
    }
    assert found == {(p["patient"], g) for p in truth["planted"] for g in p["gaps"]}
    issues = {
        (r["file"], r["line"], r["kind"])
        for r in pq.read_table(str(run.out / "issues.parquet")).to_pylist()
    }
    assert issues == {(d["file"], d["line"], d["kind"]) for d in truth["defects"]}
    assert all(d["file"] == "Observation.002.ndjson" for d in truth["defects"])
