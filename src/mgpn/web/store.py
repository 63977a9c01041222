"""The case store: save a case, add a version, list, read. Versions are never overwritten.

Every write is one transaction: a failure leaves nothing stored half-way, and any
database error comes out as :class:`mgpn.errors.StorageError`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mgpn.errors import NotFoundError, StorageError
from mgpn.web.models import CaseRow, CaseVersionRow


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


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _label(case: dict[str, Any]) -> str | None:
    value = case.get("id")
    return str(value)[:200] if value is not None else None


class CaseStore:
    """Cases and their versions in one database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
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
        *,
        details: Mapping[str, str] | None = None,
        entered: Mapping[str, str] | None = None,
    ) -> StoredVersion:
        """Save a new case as version 1 (``details``: optional report fields; ``entered``:
        quantities as typed)."""
        now = datetime.now(UTC)
        with self._transaction("save the case") as session:
            row = CaseRow(id=uuid.uuid4().hex, label=_label(case), created_at=now)
            session.add(row)
            version = CaseVersionRow(
                case=row,
                version=1,
                case_json=case,
                assessment_json=assessment,
                knowledge_version=knowledge_version,
                assessed_at=assessed_at or now,
                report_details=dict(details) if details else None,
                entered_values=dict(entered) if entered else None,
            )
            session.add(version)
            session.flush()
            return self._stored(row, version)

    def add_version(
        self,
        case_id: str,
        case: dict[str, Any],
        assessment: dict[str, Any],
        knowledge_version: str,
        assessed_at: datetime | None = None,
        *,
        details: Mapping[str, str] | None = None,
        entered: Mapping[str, str] | None = None,
    ) -> StoredVersion:
        """Append a new version; earlier versions stay as they were."""
        now = datetime.now(UTC)
        with self._transaction("save the new version") as session:
            row = session.get(CaseRow, case_id)
            if row is None:
                raise NotFoundError(f"no saved case has the id {case_id!r}")
            latest = session.scalar(
                select(func.max(CaseVersionRow.version)).where(CaseVersionRow.case_id == case_id)
            )
            row.label = _label(case) or row.label
            version = CaseVersionRow(
                case_id=case_id,
                version=(latest or 0) + 1,
                case_json=case,
                assessment_json=assessment,
                knowledge_version=knowledge_version,
                assessed_at=assessed_at or now,
                report_details=dict(details) if details else None,
                entered_values=dict(entered) if entered else None,
            )
            session.add(version)
            session.flush()
            return self._stored(row, version)

    def get(self, case_id: str, version: int | None = None) -> StoredVersion:
        """The latest version of a case, or the given one."""
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
            return [
                CaseSummary(row.id, row.label, _utc(row.created_at), int(n), _utc(updated))
                for row, n, updated in rows
            ]

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
