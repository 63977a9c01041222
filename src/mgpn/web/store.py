"""The case store: save a case, add a version, list, read. Versions are never overwritten.

Every write is one transaction: a failure leaves nothing stored half-way, and any
database error comes out as :class:`mgpn.errors.StorageError`. Optimistic concurrency:
``add_version`` takes the version the caller edited; when another save came first it
raises :class:`mgpn.errors.ConflictError` and stores nothing. The case row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so concurrent
savers queue; the unique (case, version) constraint backs this up.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mgpn.errors import ConflictError, NotFoundError, StorageError
from mgpn.web.db import WRITE
from mgpn.web.listing import list_summary
from mgpn.web.models import AuditRow, CaseRow, CaseVersionRow

# Ids are made here (uuid4 hex); anything else cannot name a stored case. Checking first
# keeps odd input (a NUL byte, 10 kB of text) away from the database.
_CASE_ID = re.compile(r"[0-9a-f]{32}")
# Versions are stored as 32-bit integers; a larger number cannot name one.
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class StoredVersion:
    """One saved version of a case with the assessment given for it."""

    case_id: str
    version: int
    label: str | None
    case: dict[str, Any]
    assessment: dict[str, Any]
    knowledge_version: str
    assessed_at: datetime
    # optional report fields (patient name, date of birth, record number, author): kept
    # out of repr so that no log line can carry them
    details: dict[str, str] = field(default_factory=dict, repr=False)
    entered: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionInfo:
    version: int
    knowledge_version: str
    assessed_at: datetime


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    label: str | None
    created_at: datetime
    latest_version: int
    updated_at: datetime
    leading: str | None = None
    status: str | None = None
    indication: str | None = None
    last_visit: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who asks (for the audit log): the signed-in user's name and the client address."""

    username: str | None = None
    client: str | None = None


ANONYMOUS = Actor()


def _known_id(case_id: str) -> str:
    if not _CASE_ID.fullmatch(case_id):
        raise NotFoundError("no saved case has this id (ids are 32 letters 0-9 and a-f)")
    return case_id


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _label(case: dict[str, Any]) -> str | None:
    """The case's own id as its list label, without control characters (PostgreSQL refuses
    a NUL in text; a label is for reading)."""
    value = case.get("id")
    if value is None:
        return None
    text = "".join(ch if ch.isprintable() else " " for ch in str(value)).strip()
    return text[:200] or None


class CaseStore:
    """Cases and their versions in one database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def _transaction(self, action: str, *, write: bool = False) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                if write:  # SQLite: take the write lock now (BEGIN IMMEDIATE)
                    session.connection(execution_options=WRITE)
                yield session
        except (NotFoundError, StorageError):
            raise
        except SQLAlchemyError as exc:
            raise StorageError(
                f"could not {action}: {exc.__class__.__name__}; nothing was saved. "
                "Fix: check the database server and try again."
            ) from exc

    def create(
        self,
        case: dict[str, Any],
        assessment: dict[str, Any],
        knowledge_version: str,
        assessed_at: datetime | None = None,
        actor: Actor = ANONYMOUS,
        *,
        details: Mapping[str, str] | None = None,
        entered: Mapping[str, str] | None = None,
    ) -> StoredVersion:
        """Save a new case as version 1 (``details``: optional report fields; ``entered``:
        quantities as typed)."""
        now = datetime.now(UTC)
        with self._transaction("save the case", write=True) as session:
            row = CaseRow(
                id=uuid.uuid4().hex,
                label=_label(case),
                created_at=now,
                summary=list_summary(case, assessment),
            )
            session.add(row)
            version = _version_row(
                row.id, 1, case, assessment, knowledge_version, assessed_at or now, details, entered
            )
            session.add(version)
            session.flush()
            session.add(_audit(actor, "create", row.id, 1, now))
            return self._stored(row, version)

    def add_version(
        self,
        case_id: str,
        case: dict[str, Any],
        assessment: dict[str, Any],
        knowledge_version: str,
        assessed_at: datetime | None = None,
        *,
        base_version: int,
        actor: Actor = ANONYMOUS,
        details: Mapping[str, str] | None = None,
        entered: Mapping[str, str] | None = None,
    ) -> StoredVersion:
        """Append version ``base_version + 1``; refused if ``base_version`` is not the latest.

        Earlier versions stay as they were; a stale ``base_version`` raises
        :class:`ConflictError` and stores nothing.
        """
        _known_id(case_id)
        now = datetime.now(UTC)
        try:
            with self._transaction("save the new version", write=True) as session:
                row = session.scalar(select(CaseRow).where(CaseRow.id == case_id).with_for_update())
                if row is None:
                    raise NotFoundError(f"no saved case has the id {case_id!r}")
                latest = session.scalar(
                    select(func.max(CaseVersionRow.version)).where(
                        CaseVersionRow.case_id == case_id
                    )
                )
                if latest != base_version:
                    raise ConflictError(case_id, base_version, int(latest or 0))
                row.label = _label(case) or row.label
                row.summary = list_summary(case, assessment)
                version = _version_row(
                    case_id,
                    base_version + 1,
                    case,
                    assessment,
                    knowledge_version,
                    assessed_at or now,
                    details,
                    entered,
                )
                session.add(version)
                session.flush()
                session.add(_audit(actor, "update", case_id, version.version, now))
                return self._stored(row, version)
        except StorageError as exc:
            # Another save took this version number between our read and our insert.
            if isinstance(exc.__cause__, IntegrityError):
                raise ConflictError(case_id, base_version, self.latest_version(case_id)) from exc
            raise

    def latest_version(self, case_id: str) -> int:
        _known_id(case_id)
        with self._transaction("read the case") as session:
            latest = session.scalar(
                select(func.max(CaseVersionRow.version)).where(CaseVersionRow.case_id == case_id)
            )
            if latest is None:
                raise NotFoundError(f"no saved case has the id {case_id!r}")
            return int(latest)

    def record(self, actor: Actor, action: str, case_id: str | None, version: int | None) -> None:
        """Add one line to the audit log (a view, a report, a list)."""
        with self._transaction("write the audit log", write=True) as session:
            session.add(_audit(actor, action, case_id, version, datetime.now(UTC)))

    def audit_events(self, case_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        """The newest audit events first, optionally for one case."""
        with self._transaction("read the audit log") as session:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if case_id is not None:
                query = query.where(AuditRow.case_id == case_id)
            return list(session.scalars(query))

    def get(self, case_id: str, version: int | None = None) -> StoredVersion:
        """The latest version of a case, or the given one."""
        _known_id(case_id)
        if version is not None and not 1 <= version <= MAX_VERSION:
            raise NotFoundError(f"case {case_id!r} has no version {version}")
        with self._transaction("read the case") as session:
            row = session.get(CaseRow, case_id)
            if row is None:
                raise NotFoundError(f"no saved case has the id {case_id!r}")
            query = select(CaseVersionRow).where(CaseVersionRow.case_id == case_id)
            if version is None:
                query = query.order_by(CaseVersionRow.version.desc()).limit(1)
            else:
                query = query.where(CaseVersionRow.version == version)
            found = session.scalar(query)
            if found is None:
                raise NotFoundError(f"case {case_id!r} has no version {version}")
            return self._stored(row, found)

    def versions(self, case_id: str) -> list[VersionInfo]:
        """Every version of a case, oldest first."""
        _known_id(case_id)
        with self._transaction("read the case's versions") as session:
            if session.get(CaseRow, case_id) is None:
                raise NotFoundError(f"no saved case has the id {case_id!r}")
            rows = session.execute(
                select(
                    CaseVersionRow.version,
                    CaseVersionRow.knowledge_version,
                    CaseVersionRow.assessed_at,
                )
                .where(CaseVersionRow.case_id == case_id)
                .order_by(CaseVersionRow.version)
            ).all()
            return [VersionInfo(v, kb, _utc(at)) for v, kb, at in rows]

    def list_cases(self) -> list[CaseSummary]:
        """All saved cases, most recently changed first."""
        with self._transaction("list the cases") as session:
            latest = (
                select(
                    CaseVersionRow.case_id,
                    func.max(CaseVersionRow.version).label("latest"),
                    func.max(CaseVersionRow.assessed_at).label("updated"),
                )
                .group_by(CaseVersionRow.case_id)
                .subquery()
            )
            rows = session.execute(
                select(CaseRow, latest.c.latest, latest.c.updated)
                .join(latest, latest.c.case_id == CaseRow.id)
                .order_by(latest.c.updated.desc(), CaseRow.id)
            ).all()
            out = []
            for row, n, updated in rows:
                summary = row.summary or self._legacy_summary(session, row.id, int(n))
                out.append(
                    CaseSummary(
                        row.id,
                        row.label,
                        _utc(row.created_at),
                        int(n),
                        _utc(updated),
                        leading=summary.get("leading"),
                        status=summary.get("status"),
                        indication=summary.get("indication"),
                        last_visit=summary.get("last_visit"),
                    )
                )
            return out

    @staticmethod
    def _legacy_summary(session: Session, case_id: str, version: int) -> dict[str, Any]:
        """A case saved before ``cases.summary`` existed: derive it from its latest version."""
        found = session.scalar(
            select(CaseVersionRow).where(
                CaseVersionRow.case_id == case_id, CaseVersionRow.version == version
            )
        )
        if found is None:
            return {}
        return list_summary(found.case_json, found.assessment_json)

    @staticmethod
    def _stored(row: CaseRow, version: CaseVersionRow) -> StoredVersion:
        return StoredVersion(
            case_id=row.id,
            version=version.version,
            label=row.label,
            case=dict(version.case_json),
            assessment=dict(version.assessment_json),
            knowledge_version=version.knowledge_version,
            assessed_at=_utc(version.assessed_at),
            details={str(k): str(v) for k, v in (version.report_details or {}).items()},
            entered={str(k): str(v) for k, v in (version.entered_values or {}).items()},
        )


def _version_row(
    case_id: str,
    number: int,
    case: dict[str, Any],
    assessment: dict[str, Any],
    knowledge_version: str,
    assessed_at: datetime,
    details: Mapping[str, str] | None,
    entered: Mapping[str, str] | None,
) -> CaseVersionRow:
    """One version as stored: the first of a new case and every later one alike."""
    return CaseVersionRow(
        case_id=case_id,
        version=number,
        case_json=case,
        assessment_json=assessment,
        knowledge_version=knowledge_version,
        assessed_at=assessed_at,
        report_details=dict(details) if details else None,
        entered_values=dict(entered) if entered else None,
    )


def _audit(
    actor: Actor, action: str, case_id: str | None, version: int | None, at: datetime
) -> AuditRow:
    return AuditRow(
        at=at,
        username=actor.username,
        action=action,
        case_id=case_id,
        version=version,
        client=(actor.client or None) and str(actor.client)[:100],
    )
