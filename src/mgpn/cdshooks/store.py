"""What the CDS Hooks service keeps: feedback, the replay cache of token ids, case links."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mgpn.cdshooks.models import FeedbackItem
from mgpn.cdshooks.tables import CdsFeedbackRow, CdsPatientCaseRow, CdsSeenTokenRow
from mgpn.errors import StorageError


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def patient_key(issuer: str, server: str, patient: str) -> str:
    """How a patient is known here: a digest, never the EHR's identifier itself."""
    return _hash(issuer, server, patient)


@dataclass(frozen=True)
class StoredFeedback:
    service_id: str
    card_uuid: str
    outcome: str
    accepted_suggestions: list[Any]
    override_reason: str | None
    comment: str | None
    outcome_timestamp: str
    received_at: datetime


class CdsStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._calls = 0

    def claim_token(self, issuer: str, jti: str, expires: datetime) -> bool:
        """Record a token id; False when it was seen before (a replay). Survives restarts."""
        self._calls += 1
        try:
            with self._sessions.begin() as session:
                if self._calls % 200 == 1:  # prune now and then, not on every call
                    session.execute(
                        delete(CdsSeenTokenRow).where(
                            CdsSeenTokenRow.expires_at < datetime.now(UTC) - timedelta(hours=1)
                        )
                    )
                session.add(CdsSeenTokenRow(token_key=_hash(issuer, jti), expires_at=expires))
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise StorageError(f"could not record the token id: {exc.__class__.__name__}") from exc
        return True

    def add_feedback(self, service_id: str, items: list[FeedbackItem], issuer: str | None) -> int:
        now = datetime.now(UTC)
        try:
            with self._sessions.begin() as session:
                for item in items:
                    reason = item.overrideReason or {}
                    session.add(
                        CdsFeedbackRow(
                            service_id=service_id,
                            card_uuid=item.card,
                            outcome=item.outcome,
                            accepted_suggestions=item.acceptedSuggestions,
                            override_reason=reason.get("reason"),
                            comment=reason.get("userComment"),
                            outcome_timestamp=item.outcomeTimestamp,
                            issuer=issuer,
                            received_at=now,
                        )
                    )
        except SQLAlchemyError as exc:
            raise StorageError(
                f"could not store the feedback: {exc.__class__.__name__}; nothing was stored"
            ) from exc
        return len(items)

    def feedback(self, limit: int = 500) -> list[StoredFeedback]:
        with self._sessions() as session:
            rows = session.scalars(
                select(CdsFeedbackRow).order_by(CdsFeedbackRow.id.desc()).limit(limit)
            ).all()
            return [
                StoredFeedback(
                    service_id=row.service_id,
                    card_uuid=row.card_uuid,
                    outcome=row.outcome,
                    accepted_suggestions=list(row.accepted_suggestions or []),
                    override_reason=(row.override_reason or {}).get("display")
                    or (row.override_reason or {}).get("code"),
                    comment=row.comment,
                    outcome_timestamp=row.outcome_timestamp,
                    received_at=row.received_at,
                )
                for row in rows
            ]

    def case_for(self, issuer: str, server: str, patient: str) -> str | None:
        with self._sessions() as session:
            row = session.get(CdsPatientCaseRow, _hash(issuer, server, patient))
            return row.case_id if row else None

    def link_case(self, issuer: str, server: str, patient: str, case_id: str) -> None:
        with self._sessions.begin() as session:
            key = _hash(issuer, server, patient)
            row = session.get(CdsPatientCaseRow, key)
            if row is None:
                session.add(
                    CdsPatientCaseRow(
                        patient_key=key, case_id=case_id, updated_at=datetime.now(UTC)
                    )
                )
            else:
                row.case_id, row.updated_at = case_id, datetime.now(UTC)
