"""Evaluate many cases at once, in parallel across cores, in the order given.

For the screening and cohort faces: thousands of case files (``mgpn evaluate *.yaml``)
or an iterable of cases in Python::

    for item in mgpn.evaluate_many(paths_or_cases):      # doctest: +SKIP
        if item.error is None:
            use(item.assessment)
        else:
            report(item.source, item.error)              # one bad file stops nothing

Work goes to a process pool in chunks (one interpreter per core: evaluation is pure
Python, so threads would share one core). Each worker loads the knowledge base once.
Results come back in input order; the input is read lazily with a bounded number of
chunks in flight, so an iterable of a million cases never sits in memory at once. An
input that cannot be read or parsed gives an item with ``error`` set, never an
exception that ends the batch.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mgpn.assessment import Assessment
from mgpn.case import Case, parse_case
from mgpn.errors import InputError, Issue, MgpnError

if TYPE_CHECKING:  # the pool machinery is imported only when a batch is large enough
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["BatchItem", "CaseInput", "evaluate_many"]

CaseInput = Case | Mapping[str, Any] | str | Path
"""A case, a parsed case mapping, or the path of a case file."""

Output = Literal["assessment", "json"]

# Below this many cases a pool costs more (starting interpreters) than it saves.
_SERIAL_BELOW = 64
_CHUNK = 32


@dataclass(frozen=True)
class BatchItem:
    """The outcome for one input: an assessment, or the error that refused the input.

    ``rendered`` holds the assessment as one line of JSON when the batch was asked for
    ``output="json"`` (the command line's), else None.
    """

    index: int
    source: str
    assessment: Assessment | None = None
    error: MgpnError | None = None
    rendered: str | None = None
    notices: tuple[str, ...] = ()  # what the reader noticed (e.g. FHIR resources not used)

    @property
    def ok(self) -> bool:
        return self.error is None


# An error crosses the process boundary as (class, source, issues) or (class, message):
# InputError's constructor takes the source and issues, which plain pickling loses.
_ErrorState = tuple[type[MgpnError], str, Any]
# An assessment crosses it as its model_dump() (plain dicts and lists): pickled and rebuilt
# (mgpn.engine.output.rebuild) several times faster than the tree of models itself, so the
# parent, which receives every result, stays cheaper than the workers.
_Result = tuple[
    int, str, Assessment | dict[str, Any] | None, _ErrorState | None, str | None, tuple[str, ...]
]


def _error_state(error: MgpnError) -> _ErrorState:
    if isinstance(error, InputError):
        return (type(error), error.source, list(error.issues))
    return (type(error), str(error), None)


def _error_from_state(state: _ErrorState) -> MgpnError:
    kind, text, issues = state
    if issues is not None and issubclass(kind, InputError):
        return kind(text, issues)
    return kind(text)


def _source(item: CaseInput, index: int) -> str:
    if isinstance(item, str | Path):
        return str(item)
    if isinstance(item, Case):
        return item.id or f"case {index + 1}"
    case_id = item.get("id") if isinstance(item, Mapping) else None
    return str(case_id) if case_id is not None else f"case {index + 1}"


def _evaluate_one(index: int, item: CaseInput, output: Output) -> _Result:
    from mgpn.engine import evaluate

    source = _source(item, index)
    notices: tuple[str, ...] = ()
    try:
        if isinstance(item, Case):
            case = item
        elif isinstance(item, str | Path):
            # A case file, or a FHIR Bundle told apart by its content.
            from mgpn.interop.fhir.files import load_case_or_fhir

            case, mapping = load_case_or_fhir(item)
            if mapping is not None and mapping.unused:
                notices = (
                    f"{len(mapping.unused)} FHIR resource(s) or code(s) not used "
                    "(see mgpn fhir import --report)",
                )
        elif isinstance(item, Mapping):
            case = parse_case(dict(item), source=source)
        else:
            raise InputError(
                source,
                [
                    Issue(
                        "",
                        f"not a case: {type(item).__name__}",
                        fix="pass a Case, a case mapping or the path of a case file",
                    )
                ],
            )
        assessment = evaluate(case)
    except MgpnError as error:
        return (index, source, None, _error_state(error), None, notices)
    if output == "json":
        return (index, source, None, None, _json_line(assessment), notices)
    return (index, source, assessment, None, None, notices)


def _json_line(assessment: Assessment) -> str:
    # model_dump_json is pydantic's Rust serializer: same keys and values as
    # json.dumps(to_json_dict()), several times faster. Non-ASCII stays as UTF-8.
    return assessment.model_dump_json(by_alias=True)


def _run_chunk(chunk: list[tuple[int, CaseInput]], output: Output) -> list[_Result]:
    """In a worker: the chunk's results, assessments as plain data for the trip back."""
    results = []
    for index, item in chunk:
        result = _evaluate_one(index, item, output)
        assessment = result[2]
        if isinstance(assessment, Assessment):
            result = (result[0], result[1], assessment.model_dump(), *result[3:])
        results.append(result)
    return results


def _warm_worker() -> None:
    # Every worker reads the knowledge base once, before its first case.
    from mgpn.knowledge import load_knowledge

    load_knowledge()


def _to_item(result: _Result) -> BatchItem:
    index, source, assessment, error, rendered, notices = result
    if isinstance(assessment, dict):  # from a worker (see _Result)
        from mgpn.engine.output import rebuild

        assessment = rebuild(Assessment, assessment)
    return BatchItem(
        index=index,
        source=source,
        assessment=assessment,
        error=_error_from_state(error) if error is not None else None,
        rendered=rendered,
        notices=notices,
    )


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork is fastest (the parent's imports and knowledge base are inherited) but unsafe
    # in a process that already runs threads (a web server); then forkserver.
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
    if method != "fork" and "forkserver" in methods:
        method = "forkserver"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_warm_worker,
    )


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def evaluate_many(
    cases: Iterable[CaseInput],
    *,
    workers: int | None = None,
    output: Output = "assessment",
) -> Iterator[BatchItem]:
    """Evaluate ``cases`` (cases, case mappings or file paths), yielding one item each, in order.

    ``workers``: processes to use (default: one per core; 1 evaluates in this process).
    Small batches (under 64 cases) are evaluated in this process whatever ``workers``
    says. ``output="json"`` fills ``rendered`` (one JSON line) instead of ``assessment``:
    cheaper to send between processes. Errors are per item (``item.error``), never
    raised; only a broken knowledge base raises :class:`mgpn.errors.KnowledgeError`.
    """
    from mgpn.knowledge import load_knowledge

    load_knowledge()  # a broken knowledge base stops the batch here, once, clearly
    count = default_workers() if workers is None else max(1, workers)
    numbered = enumerate(cases)
    head = list(islice(numbered, _SERIAL_BELOW))
    if count == 1 or len(head) < _SERIAL_BELOW:
        for index, item in head:
            yield _to_item(_evaluate_one(index, item, output))
        for index, item in numbered:
            yield _to_item(_evaluate_one(index, item, output))
        return
    yield from _parallel(head, numbered, count, output)


def _parallel(
    head: list[tuple[int, CaseInput]],
    rest: Iterator[tuple[int, CaseInput]],
    workers: int,
    output: Output,
) -> Iterator[BatchItem]:
    def chunks() -> Iterator[list[tuple[int, CaseInput]]]:
        for start in range(0, len(head), _CHUNK):
            yield head[start : start + _CHUNK]
        while chunk := list(islice(rest, _CHUNK)):
            yield chunk

    pool = _pool(workers)
    pending: deque[Future[list[_Result]]] = deque()
    try:
        for chunk in chunks():
            pending.append(pool.submit(_run_chunk, chunk, output))
            if len(pending) >= workers * 4:  # bounded: the input is read as results leave
                yield from map(_to_item, pending.popleft().result())
        while pending:
            yield from map(_to_item, pending.popleft().result())
    finally:
        # Also when the caller stops early: drop the chunks not started yet.
        pool.shutdown(wait=True, cancel_futures=True)
