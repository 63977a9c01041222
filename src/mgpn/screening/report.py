"""The run's summary (JSON) and its HTML report with plots, from the tables it wrote.

Both read only aggregates and the first rows of each table, so they stay small however
large the export was. The bottom line comes first, in clinical words.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUMMARY_FORMAT = "mgpn-screen/1"
LISTED_ISSUES = 500
LISTED_GAPS = 300


@dataclass(frozen=True)
class Funnel:
    patients: int
    screened: int
    with_gap: int


def _read(path: Path, columns: list[str]) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    if not path.exists():
        return []
    rows: list[dict[str, Any]] = pq.read_table(str(path), columns=columns).to_pylist()
    return rows


def build_summary(
    out: Path, funnel: Funnel, *, engine: str, export: str, seconds: float, as_of: dt.date | None
) -> dict[str, Any]:
    from mgpn.knowledge.care_gaps import load_care_gaps
    from mgpn.knowledge.loader import load_knowledge

    kb, rules = load_knowledge(), load_care_gaps()
    gaps = _read(out / "gaps.parquet", ["patient", "gap_id", "kind"])
    patients = _read(out / "patients.parquet", ["leading_syndrome"])
    issues = _read(out / "issues.parquet", ["file", "line", "patient", "kind", "message"])
    per_minute = funnel.patients / seconds * 60 if seconds > 0 else None
    return {
        "format": SUMMARY_FORMAT,
        "export": export,
        "engine": engine,
        "as_of": as_of.isoformat() if as_of else None,
        "knowledge_version": f"{kb.meta.version}+{rules.version}",
        "funnel": {
            "patients": funnel.patients,
            "screened": funnel.screened,
            "with_gap": funnel.with_gap,
        },
        "gaps": len(gaps),
        "gaps_by_kind": dict(Counter(row["kind"] for row in gaps).most_common()),
        "gaps_by_id": dict(Counter(row["gap_id"] for row in gaps).most_common()),
        "patients_by_leading_syndrome": dict(
            Counter(row["leading_syndrome"] for row in patients).most_common()
        ),
        "issues": {
            "count": len(issues),
            "by_kind": dict(Counter(row["kind"] for row in issues).most_common()),
            "listed": issues[:LISTED_ISSUES],
        },
        "seconds": round(seconds, 3),
        "patients_per_minute": round(per_minute) if per_minute else None,
        "rules": [
            {
                "id": gap.id,
                "label": gap.label,
                "closes": gap.closing_text,
                "references": gap.references,
                "window": gap.window_note,
            }
            for gap in rules.gaps
        ],
        "disclaimer": kb.meta.disclaimer,
    }


def _bar_svg(counts: dict[str, int], title: str, color: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(counts)[:12] or ["none"]
    values = [counts.get(key, 0) for key in keys]
    labels = [textwrap.fill(key, 38) for key in keys]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(labels) + 1.2))
    ax.barh(labels[::-1], values[::-1], color=color)
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("patients" if "patients" in title.lower() else "gaps")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def _funnel_svg(funnel: Funnel) -> str:
    counts = {
        "all patients in the export": funnel.patients,
        "screened (a paraprotein on record)": funnel.screened,
        "with at least one work-up gap": funnel.with_gap,
    }
    return _bar_svg(counts, "From all patients to those with a gap (patients)", "#4a6fa5")


def _bottom_line(summary: dict[str, Any]) -> str:
    funnel = summary["funnel"]
    kinds = summary["gaps_by_kind"]
    top = ", ".join(f"{kind} ({count})" for kind, count in list(kinds.items())[:3])
    if not funnel["with_gap"]:
        return (
            f"No work-up gap found among {funnel['screened']:,} patients with a paraprotein "
            f"(of {funnel['patients']:,} in the export)."
        )
    return (
        f"{funnel['with_gap']:,} of {funnel['screened']:,} patients with a paraprotein have at "
        f"least one work-up gap (of {funnel['patients']:,} patients in the export). "
        f"Most frequent: {top}. Each gap names the test or action that closes it."
    )


def write_html(out: Path, summary: dict[str, Any]) -> Path:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("mgpn.screening", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    gaps = _read(out / "gaps.parquet", ["patient", "gap", "findings", "closing_test"])
    funnel = Funnel(**summary["funnel"])
    page = env.get_template("report.html").render(
        summary=summary,
        bottom_line=_bottom_line(summary),
        funnel_svg=_funnel_svg(funnel),
        kinds_svg=_bar_svg(summary["gaps_by_kind"], "Gaps by kind (gaps)", "#b5523b"),
        syndromes_svg=_bar_svg(
            summary["patients_by_leading_syndrome"],
            "Screened patients by leading syndrome (patients)",
            "#5b8c5a",
        ),
        gaps=gaps[:LISTED_GAPS],
        gaps_total=len(gaps),
        listed_gaps=LISTED_GAPS,
        escape=html.escape,
    )
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_summary(out: Path, summary: dict[str, Any]) -> Path:
    path = out / "summary.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
