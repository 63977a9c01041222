"""A validated knowledge base kept between runs, so a command does not re-read it each time.

Reading, validating and cross-checking the knowledge base takes longer than
everything else ``mgpn evaluate one.yaml`` does. The result depends only on the
knowledge files and on mgpn's own code, so it is stored (pickled) under a key made of:

* the bytes of every file in the knowledge directory (what the rules say);
* the path, size and modification time of every module and data file of the mgpn
  package (how they are read, validated and checked; the case model they are checked
  against);
* the versions of Python and pydantic (how the objects are built).

Any change to one of these gives a new key, so a stale knowledge base is never used:
the files are read, validated and checked again, and the result stored anew. A
knowledge base that fails its checks is never stored. The cache is private to the
user (a 0700 folder, 0600 files, refused when another user could have written it), lives in
``platformdirs.user_cache_dir("mgpn")`` or ``$MGPN_CACHE_DIR``, and is off with
``MGPN_NO_CACHE=1``. Any problem with it (unwritable, corrupt) falls back to reading
the files, in silence: the cache can only save time, never change an answer.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pydantic

from mgpn.knowledge.schema import KnowledgeBase

_PACKAGE = Path(__file__).resolve().parents[1]
_FORMAT = b"mgpn-kb-cache/1"


def cache_folder() -> Path | None:
    """Where cached knowledge bases go, or None when caching is off."""
    if os.environ.get("MGPN_NO_CACHE"):
        return None
    configured = os.environ.get("MGPN_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mgpn", appauthor=False))


def cache_key(directory: Path) -> str:
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{platform.python_version()} {pydantic.VERSION}".encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(path.read_bytes())
    for path in sorted(_PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or path.suffix not in (".py", ".yaml", ".json"):
            continue
        info = path.stat()
        digest.update(
            f"{path.relative_to(_PACKAGE)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode()
        )
    return digest.hexdigest()


def _trusted(path: Path, kind: Callable[[int], bool]) -> bool:
    # Only our own file in our own folder, writable by nobody else: unpickling runs code.
    info = path.stat()
    owner_only = not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return info.st_uid == os.getuid() and owner_only and kind(info.st_mode)


def _read(path: Path) -> KnowledgeBase | None:
    try:
        if not _trusted(path, stat.S_ISREG) or not _trusted(path.parent, stat.S_ISDIR):
            return None
        loaded = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return loaded if isinstance(loaded, KnowledgeBase) else None


def _write(path: Path, kb: KnowledgeBase) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)  # atomic: a reader sees the old file or the new one
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for old in path.parent.glob("kb-*.pickle"):  # keep only the current one
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # caching is an optimisation: a read-only home changes nothing


def cached_or_read(directory: Path, read: Callable[[Path], KnowledgeBase]) -> KnowledgeBase:
    """The knowledge base in ``directory``, from the cache when its key matches, else ``read``."""
    folder = cache_folder()
    if folder is None:
        return read(directory)
    try:
        target = folder / f"kb-{cache_key(directory)}.pickle"
    except OSError:
        return read(directory)
    found = _read(target) if target.exists() else None
    if found is not None:
        return found
    kb = read(directory)  # raises KnowledgeError for a broken knowledge base: nothing stored
    _write(target, kb)
    return kb
