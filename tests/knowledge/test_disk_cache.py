"""The knowledge base kept between runs: used only while the files and code are unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mgpn.errors import KnowledgeError
from mgpn.knowledge import disk_cache
from mgpn.knowledge.loader import DEFAULT_DIRECTORY, _read_checked
from mgpn.knowledge.schema import KnowledgeBase


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MGPN_CACHE_DIR", str(folder))
    monkeypatch.delenv("MGPN_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


class Reads:
    """_read_checked, counting its calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, directory: Path) -> KnowledgeBase:
        self.count += 1
        return _read_checked(directory)


def test_second_load_comes_from_the_cache_and_equals_a_fresh_read(
    cache: Path, kb_copy: Path
) -> None:
    reads = Reads()
    first = disk_cache.cached_or_read(kb_copy, reads)
    second = disk_cache.cached_or_read(kb_copy, reads)
    assert reads.count == 1
    assert second == first == _read_checked(kb_copy)
    assert len(list(cache.glob("kb-*.pickle"))) == 1


def test_an_edited_knowledge_file_is_read_again_never_served_stale(
    cache: Path, kb_copy: Path
) -> None:
    reads = Reads()
    before = disk_cache.cached_or_read(kb_copy, reads)
    thresholds = kb_copy / "thresholds.yaml"
    name = next(iter(before.thresholds))
    old = f"{before.thresholds[name].value:g}"
    text = thresholds.read_text(encoding="utf-8")
    assert f"value: {old}" in text
    thresholds.write_text(text.replace(f"value: {old}", f"value: {old}1", 1), encoding="utf-8")
    after = disk_cache.cached_or_read(kb_copy, reads)
    assert reads.count == 2
    assert after.thresholds[name].value != before.thresholds[name].value


def test_a_broken_knowledge_base_is_refused_and_not_stored(cache: Path, kb_copy: Path) -> None:
    (kb_copy / "thresholds.yaml").write_text("not: [valid", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        disk_cache.cached_or_read(kb_copy, Reads())
    assert not cache.exists() or not list(cache.glob("kb-*.pickle"))


def test_a_cache_file_others_could_write_is_ignored(cache: Path, kb_copy: Path) -> None:
    reads = Reads()
    disk_cache.cached_or_read(kb_copy, reads)
    (stored,) = cache.glob("kb-*.pickle")
    os.chmod(stored, 0o666)
    disk_cache.cached_or_read(kb_copy, reads)
    assert reads.count == 2  # read again rather than trusting the file


def test_a_corrupt_cache_file_falls_back_to_reading(cache: Path, kb_copy: Path) -> None:
    reads = Reads()
    disk_cache.cached_or_read(kb_copy, reads)
    (stored,) = cache.glob("kb-*.pickle")
    stored.write_bytes(b"garbage")
    assert disk_cache.cached_or_read(kb_copy, reads) == _read_checked(kb_copy)
    assert reads.count == 2


def test_caching_can_be_switched_off(
    cache: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGPN_NO_CACHE", "1")
    reads = Reads()
    disk_cache.cached_or_read(kb_copy, reads)
    disk_cache.cached_or_read(kb_copy, reads)
    assert reads.count == 2
    assert not cache.exists()


def test_two_knowledge_directories_keep_their_own_entries(
    cache: Path, kb_copy: Path, tmp_path: Path
) -> None:
    """Two installations or knowledge bases of one user do not evict each other."""
    other = tmp_path / "kb-other"
    shutil.copytree(kb_copy, other)
    reads = Reads()
    for _ in range(2):
        disk_cache.cached_or_read(kb_copy, reads)
        disk_cache.cached_or_read(other, reads)
    assert reads.count == 2
    assert len(list(cache.glob("kb-*.pickle"))) == 2


def test_an_edit_replaces_the_entry_of_that_directory_only(
    cache: Path, kb_copy: Path, tmp_path: Path
) -> None:
    other = tmp_path / "kb-other"
    shutil.copytree(kb_copy, other)
    disk_cache.cached_or_read(kb_copy, Reads())
    disk_cache.cached_or_read(other, Reads())
    kept = disk_cache.cache_file(cache, other)
    meta = kb_copy / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    disk_cache.cached_or_read(kb_copy, Reads())
    stored = set(cache.glob("kb-*.pickle"))
    assert stored == {kept, disk_cache.cache_file(cache, kb_copy)}
    assert len(stored) == 2
