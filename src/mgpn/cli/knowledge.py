"""``mgpn kb`` lists the knowledge base; ``mgpn kb show ID`` shows one item's rules and sources.

Rules are printed as sentences (see :mod:`mgpn.knowledge.describe`) so a clinician can
review them without reading YAML or Python.
"""

from __future__ import annotations

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mgpn.errors import MgpnError

kb_app = typer.Typer(
    help="Review the knowledge base (rules, thresholds, references, verified flags).",
    no_args_is_help=False,
    invoke_without_command=True,
)


def _flag(verified: bool) -> str:
    return "yes" if verified else "[yellow]NO[/]"


@kb_app.callback()
def kb_list(ctx: typer.Context) -> None:
    """List syndromes, mimics, tests, thresholds and references with their verified flags."""
    if ctx.invoked_subcommand is not None:
        return
    from mgpn.knowledge import load_knowledge

    console = Console(highlight=False)
    try:
        kb = load_knowledge()
    except MgpnError as exc:
        console.print(f"[red]knowledge base refused:[/] {exc}", markup=True)
        raise typer.Exit(2) from exc
    meta = kb.meta
    console.print(f"[bold]mgpn knowledge base {meta.version}[/], last reviewed {meta.last_reviewed}")
    console.print(f"Reviewers: {'; '.join(meta.reviewers)}")
    console.print(f"Intended use: {meta.intended_use}")
    syndromes = Table(title="Syndromes (mgpn kb show ID for the rules)")
    for column in ("id", "label", "criteria", "status rules", "unverified items", "references"):
        syndromes.add_column(column, overflow="fold")
    for item in kb.ordered_syndromes():
        unverified = sum(not c.verified for c in item.criteria)
        unverified += sum(not r.verified for r in item.status_rules)
        syndromes.add_row(
            item.id, item.label, str(len(item.criteria)), str(len(item.status_rules)),
            str(unverified), ", ".join(item.references),
        )
    console.print(syndromes)
    mimics = Table(title="Mimics (other causes)")
    for column in ("id", "label", "criteria", "unverified items"):
        mimics.add_column(column)
    for mimic in kb.mimics:
        unverified = sum(not c.verified for c in mimic.criteria)
        mimics.add_row(mimic.id, mimic.label, str(len(mimic.criteria)), str(unverified))
    console.print(mimics)
    thresholds = Table(title="Thresholds (every number the rules use)")
    for column in ("name", "value", "unit", "verified", "references"):
        thresholds.add_column(column, overflow="fold")
    for name, threshold in kb.thresholds.items():
        thresholds.add_row(
            name, f"{threshold.value:g}", threshold.unit, _flag(threshold.verified),
            ", ".join(threshold.references),
        )
    console.print(thresholds)
    console.print(
        f"{len(kb.tests)} test rules, {len(kb.treatment.options)} treatment options, "
        f"{len(kb.treatment.warnings)} warnings, {len(kb.references)} references."
    )
    console.print(f"[italic]{meta.disclaimer}[/]")


def _show_rules(console: Console, item_id: str) -> bool:
    from mgpn.knowledge import load_knowledge
    from mgpn.knowledge.describe import describe
    from mgpn.knowledge.schema import RuleSet

    kb = load_knowledge()
    rule_sets: dict[str, RuleSet] = {s.id: s for s in kb.syndromes}
    rule_sets.update({m.id: m for m in kb.mimics})
    rule_set: RuleSet
    if item_id == "link":
        rule_set = kb.link
        title = "Paraprotein-neuropathy link"
        references: list[str] = []
        note = None
    elif item_id in rule_sets:
        rule_set = rule_sets[item_id]
        title = str(getattr(rule_set, "label", item_id))
        references = list(getattr(rule_set, "references", []))
        note = getattr(rule_set, "note", None)
    else:
        return False
    console.print(f"[bold]{title}[/] ({item_id})")
    if references:
        console.print(f"References: {', '.join(references)}")
    if note:
        console.print(f"Note: {note}")
    # Lists rather than tables: rule text is long and must stay readable in 80 columns.
    console.print("[bold]Criteria[/] (weight in favour [+] or against [-]):")
    for c in rule_set.criteria:
        sign = "+" if c.direction == "for" else "-"
        limits = ""
        if c.caps:
            limits = f"; caps the status at {c.caps}"
        if c.caps_if_absent:
            limits += f"; if not met: at most {c.caps_if_absent}"
        if c.caps_if_unknown:
            limits += f"; while unknown: at most {c.caps_if_unknown}"
        if c.settles:
            limits += f"; decisive: at least {c.settles}"
        console.print(
            f"  • \\[{sign}{c.weight:g}] [bold]{escape(c.text)}[/] ({item_id}.{c.id}; "
            f"{c.effective_kind}{escape(limits)})"
        )
        console.print(f"      rule: {describe(c.when, kb)}", markup=False)
        console.print(f"      evidence: {c.evidence}", markup=False)
        unverified = "" if c.verified else f"  [yellow]UNVERIFIED: {c.note or ''}[/]"
        console.print(f"      references: {escape(', '.join(c.references))}{unverified}")
    console.print("[bold]Status rules[/] (the first true rule wins):")
    for index, r in enumerate(rule_set.status_rules, 1):
        unverified = "" if r.verified else "  [yellow]UNVERIFIED[/]"
        console.print(f"  {index}. [bold]{r.status}[/] when {escape(describe(r.when, kb))}{unverified}")
        console.print(f"      {r.reason} ({', '.join(r.references)})", markup=False)
    console.print(f"Otherwise: {rule_set.default_reason}")
    for staging in getattr(rule_set, "staging", []):
        console.print(f"[bold]{staging.name}[/] ({', '.join(staging.references)}): "
                      + "; ".join(f"{m.text} = {describe(m.when, kb)}" for m in staging.markers))
    return True


@kb_app.command("show")
def kb_show(
    item_id: str = typer.Argument(
        ...,
        help="A syndrome or mimic id, 'link', a threshold, test or reference id, or the "
        "qualified id an assessment line carries (e.g. poems.vegf_high, tests.vegf).",
    ),
) -> None:
    """Show one item of the knowledge base with its rules and sources."""
    from mgpn.knowledge import load_knowledge
    from mgpn.knowledge.loader import dump_model

    console = Console(highlight=False)
    try:
        kb = load_knowledge()
        if _show_rules(console, item_id):
            return
    except MgpnError as exc:
        console.print(f"[red]knowledge base refused:[/] {exc}")
        raise typer.Exit(2) from exc
    found: object = None
    from mgpn.knowledge.lookup import lookup

    qualified = lookup(kb, item_id) if "." in item_id else None
    if qualified is not None:
        found = qualified
    elif item_id in kb.thresholds:
        found = dump_model(kb.thresholds[item_id])
    elif item_id in kb.references:
        found = dump_model(kb.references[item_id])
    else:
        tests = [dump_model(t) for t in kb.tests if t.test == item_id]
        found = tests or None
    if found is None:
        known = sorted([s.id for s in kb.syndromes] + [m.id for m in kb.mimics] + ["link"])
        console.print(f"[red]no knowledge item {item_id!r}[/]; try one of: {', '.join(known)}, "
                      "a threshold name, a test id or a reference id (see 'mgpn kb').")
        raise typer.Exit(2)
    typer.echo(yaml.safe_dump({item_id: found}, sort_keys=False, allow_unicode=True))


def register(app: typer.Typer) -> None:
    """Add ``mgpn kb`` to the main app."""
    app.add_typer(kb_app, name="kb")
