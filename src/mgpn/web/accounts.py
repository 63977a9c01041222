"""Users and sign-in sessions in the database.

Passwords are hashed with Argon2id through ``pwdlib`` (the hasher FastAPI's own security
guide now recommends; passlib is unmaintained and breaks with current bcrypt). A session
cookie holds a random token; the database keeps only its SHA-256, so a copy of the
database cannot be replayed as a signed-in browser. Removing a user ends their sessions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mgpn.errors import InputError, Issue, NotFoundError, StorageError
from mgpn.web.db import WRITE
from mgpn.web.models import SessionRow, UserRow

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,199}")
MIN_PASSWORD = 12  # NIST SP 800-63B asks for at least 8; 12 is the common hospital policy
MAX_PASSWORD = 1024  # hashing a megabyte on every sign-in attempt would be a denial of service
# A session lookup is remembered this long, so a page with its fragments costs one query;
# signing out, removing a user or changing a password here forgets at once (another
# process, e.g. ``mgpn users remove``, takes effect within this time).
SESSION_CACHE_S = 5.0


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    kind: str  # "local" or "oidc"
    created_at: datetime


@lru_cache(maxsize=1)
def _hasher() -> object:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()  # Argon2id with the library's current parameters


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))  # type: ignore[attr-defined]


def _verify(password: str, hashed: str) -> bool:
    return bool(_hasher().verify(password, hashed))  # type: ignore[attr-defined]


# Verified against when the user does not exist, so a wrong name costs as long as a wrong
# password (no user enumeration by timing).
_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_username(name: str) -> str:
    if not USERNAME.fullmatch(name):
        raise InputError(
            "user name",
            [
                Issue(
                    "username",
                    "is not a valid user name",
                    expected="1-200 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
                    found=repr(name[:40]),
                    fix="choose a name such as j.smith",
                )
            ],
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(
            "password",
            [
                Issue(
                    "password",
                    f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long",
                    found=f"{len(password)} characters",
                    fix="choose a longer pass phrase",
                )
            ],
        )
    return password


def _user(row: UserRow) -> User:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return User(
        row.id, row.username, row.display_name, "oidc" if row.oidc_subject else "local", created
    )


class AccountStore:
    """Local and OIDC users, and their sessions."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._cache: dict[str, tuple[float, User, datetime]] = {}
        self._cache_lock = threading.Lock()

    def _forget(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    @contextmanager
    def _transaction(self, action: str, *, write: bool = False) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                if write:
                    session.connection(execution_options=WRITE)
                yield session
        except (NotFoundError, StorageError, InputError):
            raise
        except SQLAlchemyError as exc:
            raise StorageError(
                f"could not {action}: {exc.__class__.__name__}. "
                "Fix: check the database server and try again."
            ) from exc

    # users -------------------------------------------------------------------------

    def add_user(self, username: str, password: str, display_name: str | None = None) -> User:
        check_username(username)
        check_password(password)
        hashed = hash_password(password)
        try:
            with self._transaction("add the user", write=True) as session:
                row = UserRow(
                    username=username,
                    display_name=display_name,
                    password_hash=hashed,
                    active=True,
                    created_at=datetime.now(UTC),
                )
                session.add(row)
                session.flush()
                return _user(row)
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise InputError(
                    "user name",
                    [Issue("username", f"{username!r} exists already", fix="choose another name")],
                ) from exc
            raise

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        hashed = hash_password(password)
        with self._transaction("change the password", write=True) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise NotFoundError(f"no user is called {username!r}")
            row.password_hash = hashed
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        self._forget()

    def list_users(self) -> list[User]:
        with self._transaction("list the users") as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]

    def count_users(self) -> int:
        with self._transaction("count the users") as session:
            return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)

    def remove_user(self, username: str) -> None:
        """Delete the user and end every session of theirs (the audit log keeps the name)."""
        with self._transaction("remove the user", write=True) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise NotFoundError(f"no user is called {username!r}")
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            session.delete(row)
        self._forget()

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right, else None (same cost either way)."""
        if len(password) > MAX_PASSWORD or not USERNAME.fullmatch(username):
            _verify(password[:MAX_PASSWORD], _dummy_hash())
            return None
        with self._transaction("check the password") as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            hashed = row.password_hash if row is not None and row.active else None
            user = _user(row) if row is not None else None
        if hashed is None:
            _verify(password, _dummy_hash())
            return None
        return user if _verify(password, hashed) else None

    def oidc_user(self, issuer: str, subject: str, preferred: str | None, name: str | None) -> User:
        """The user for this OIDC identity, created on first sign-in."""
        with self._transaction("sign in", write=True) as session:
            row = session.scalar(
                select(UserRow).where(
                    UserRow.oidc_issuer == issuer, UserRow.oidc_subject == subject
                )
            )
            if row is None:
                base = preferred if preferred and USERNAME.fullmatch(preferred) else None
                username = base or f"oidc-{hashlib.sha256(subject.encode()).hexdigest()[:12]}"
                if session.scalar(select(UserRow.id).where(UserRow.username == username)):
                    username = f"{username[:180]}-{secrets.token_hex(3)}"
                row = UserRow(
                    username=username,
                    display_name=(name or None) and name[:200],
                    password_hash=None,
                    oidc_issuer=issuer[:500],
                    oidc_subject=subject[:300],
                    active=True,
                    created_at=datetime.now(UTC),
                )
                session.add(row)
                session.flush()
            return _user(row)

    # sessions ----------------------------------------------------------------------

    def start_session(self, user: User, hours: int) -> str:
        """A new session for ``user``; returns the cookie token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self._transaction("sign in", write=True) as session:
            session.execute(delete(SessionRow).where(SessionRow.expires_at < now))
            session.add(
                SessionRow(
                    id=token_digest(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
        return token

    def session_user(self, token: str) -> User | None:
        """The signed-in user of a cookie token, or None when unknown or expired."""
        if not token or len(token) > 100:
            return None
        cached = self.cached_session_user(token)
        if cached is not None:
            return cached
        now = datetime.now(UTC)
        digest = token_digest(token)
        user = self._session_user(digest, now)
        if user is not None:
            with self._cache_lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[digest] = (time.monotonic(), user[0], user[1])
            return user[0]
        return None

    def cached_session_user(self, token: str) -> User | None:
        """The user of a session looked up in the last few seconds (no database, no wait)."""
        with self._cache_lock:
            cached = self._cache.get(token_digest(token))
        fresh = cached and time.monotonic() - cached[0] < SESSION_CACHE_S
        if cached and fresh and cached[2] > datetime.now(UTC):
            return cached[1]
        return None

    def _session_user(self, digest: str, now: datetime) -> tuple[User, datetime] | None:
        with self._transaction("read the session") as session:
            found = session.execute(
                select(SessionRow.expires_at, UserRow)
                .join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.id == digest)
            ).first()
            if found is None:
                return None
            expires, row = found
            expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
            if expires <= now or not row.active:
                return None
            return _user(row), expires

    def end_session(self, token: str) -> None:
        with self._transaction("sign out", write=True) as session:
            session.execute(delete(SessionRow).where(SessionRow.id == token_digest(token)))
        self._forget()
