"""Tables of the CDS Hooks service (migration 0004): feedback, seen token ids, case links.

No patient identifier is stored: a patient's link to the web app's case is keyed by a
SHA-256 of (issuer, FHIR server, patient id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mgpn.web.models import Base


class CdsFeedbackRow(Base):
    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(100), index=True)
    card_uuid: Mapped[str] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    override_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    outcome_timestamp: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(500), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class CdsSeenTokenRow(Base):
    __tablename__ = "cds_seen_tokens"

    token_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class CdsPatientCaseRow(Base):
    __tablename__ = "cds_patient_cases"

    patient_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
