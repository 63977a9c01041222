"""The live form's URL-encoded reader gives Starlette's reading of every body, field by field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers
from starlette.formparsers import FormParser

from mgpn.web.formdata import parse_urlencoded


def _starlette(body: bytes) -> list[tuple[str, object]]:
    async def stream() -> AsyncIterator[bytes]:
        yield body
        yield b""

    parser = FormParser(Headers({"content-type": "application/x-www-form-urlencoded"}), stream())
    return list(asyncio.run(parser.parse()).multi_items())


def _ours(body: bytes) -> list[tuple[str, object]]:
    return list(parse_urlencoded(body).multi_items())


_raw = st.lists(st.sampled_from([b"a", b"b=", b"=", b"&", b"&&", b"+", b"%20", b"%C3%A9", b"%E9", b"%", b"%zz",
                                 b"%2", b";", b"\xe9", b"x=1", b"==", b"%26", b"%3D"]), max_size=12)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(pieces=_raw)
def test_the_same_reading_as_starlette_on_raw_bodies(pieces: list[bytes]) -> None:
    body = b"".join(pieces)
    assert _ours(body) == _starlette(body)


@settings(max_examples=200, deadline=None)
@given(fields=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=12)), max_size=8))
def test_the_same_reading_as_starlette_on_what_browsers_send(fields: list[tuple[str, str]]) -> None:
    body = urlencode(fields).encode()
    assert _ours(body) == _starlette(body) == fields
