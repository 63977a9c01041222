"""Database tables: ``cases`` and the append-only ``case_versions``.

A saved case never changes: a correction or a new visit is a new version, and each
version keeps the normalised case, the assessment the engine gave for it, the
knowledge-base version and the time, so what the program said on a date can be
shown later. The Alembic migrations in ``migrations/versions`` create these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    versions: Mapped[list[CaseVersionRow]] = relationship(
        back_populates="case", order_by="CaseVersionRow.version"
    )


class CaseVersionRow(Base):
    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_case_versions_case_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    case_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessment_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    knowledge_version: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # migration 0003: optional report fields (patient, clinician; never logged) and the
    # quantities as typed (shown back in the unit entered)
    report_details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    entered_values: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    case: Mapped[CaseRow] = relationship(back_populates="versions")
