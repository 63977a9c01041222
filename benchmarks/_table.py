"""One row per figure: what was measured, its value, the baseline measured in the same run.

Every benchmark module returns a list of :class:`Row`; ``run_all.py`` prints them
together. ``target`` says what the issue asks for, in words, so the table reads alone.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    figure: str
    value: float
    unit: str
    baseline_name: str
    baseline: float | None
    target: str = ""
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def markdown(rows: list[Row]) -> str:
    """The table as Markdown (pasted into docs/benchmarks.md)."""
    lines = [
        "| figure | value | baseline (same run) | ratio | target |",
        "|---|---:|---|---:|---|",
    ]
    for row in rows:
        base = (
            f"{row.baseline_name}: {_number(row.baseline)} {row.unit}"
            if row.baseline is not None
            else row.baseline_name
        )
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        lines.append(
            f"| {row.figure} | {_number(row.value)} {row.unit} | {base} | {ratio} | {row.target} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """The machine the figures come from (they mean nothing without it)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    try:
        memory = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False)
        total = memory.stdout.splitlines()[1].split()[1] + " GiB RAM"
    except (OSError, IndexError):
        total = "RAM unknown"
    try:
        load = Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        load = "?"
    return (
        f"{cpu}, {cores} cores, {total}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at start {load}"
    )
