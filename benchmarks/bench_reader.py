"""Speed of the strict reader (issue 13 part 2), against PyYAML's own loaders in the same run.

    python benchmarks/bench_reader.py

Reads every knowledge-base file and every case file (shared cases when ../shared is
there, else the bundled examples) with: PyYAML's pure-Python safe loader (what the
knowledge base and case files used before), PyYAML's libyaml loader (CSafeLoader, the
fastest YAML 1.1 reader, as a reference), and mgpn's strict reader with libyaml and with
its pure-Python fallback. Prints milliseconds per full pass (median of 5) and the ratio
to the pure-Python safe loader.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mgpn.strict_reader import LIBYAML, read_yaml

REPO = Path(__file__).resolve().parents[1]
SHARED_CASES = REPO / ".." / "shared" / "cases"


def _texts() -> dict[str, list[str]]:
    kb = sorted((REPO / "src" / "mgpn" / "knowledge" / "data").rglob("*.yaml"))
    folder = SHARED_CASES if SHARED_CASES.is_dir() else REPO / "src" / "mgpn" / "examples"
    cases = sorted(p for p in folder.glob("*.yaml") if p.name != "expectations.yaml")
    return {
        "knowledge base": [p.read_text(encoding="utf-8") for p in kb],
        "case files": [p.read_text(encoding="utf-8") for p in cases],
    }


def _median_ms(read: Callable[[str], Any], texts: list[str], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            read(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    readers: list[tuple[str, Callable[[str], Any]]] = [
        ("PyYAML safe_load (pure Python; baseline)", yaml.safe_load),
        ("PyYAML CSafeLoader (libyaml, YAML 1.1)", lambda t: yaml.load(t, Loader=yaml.CSafeLoader)),
        ("mgpn strict reader, libyaml", lambda t: read_yaml(t, "bench", use_libyaml=True)),
        ("mgpn strict reader, pure Python", lambda t: read_yaml(t, "bench", use_libyaml=False)),
    ]
    if not LIBYAML:
        readers = [r for r in readers if "libyaml" not in r[0]]
    print("| input | reader | ms per pass | ratio to baseline |")
    print("|---|---|---|---|")
    for label, texts in _texts().items():
        baseline = None
        for name, read in readers:
            ms = _median_ms(read, texts)
            baseline = baseline or ms
            print(f"| {label} ({len(texts)} files) | {name} | {ms:.1f} | {ms / baseline:.2f} |")


if __name__ == "__main__":
    main()
