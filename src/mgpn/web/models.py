"""Database tables: ``cases``, the append-only ``case_versions``, and sign-in and audit.

A saved case never changes: a correction or a new visit is a new version, and each
version keeps the normalised case, the assessment the engine gave for it, the
knowledge-base version and the time, so what the program said on a date can be
shown later. ``cases.summary`` holds the latest version's clinical summary for the
case list (so the list reads one small row per case, not every assessment).
``users``/``user_sessions`` hold sign-in (password hashes only, session ids only as
hashes); ``audit_events`` records who viewed or changed which case, never a patient
value. The Alembic migrations in ``migrations/versions`` create these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
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


class UserRow(Base):
    """A person who may sign in: a local password (hashed) or an OpenID Connect identity."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A signed-in browser; ``id`` is the SHA-256 of the cookie's token, never the token."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who did what to which case, when, from where. Never a patient value."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    username: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(32), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(100))
