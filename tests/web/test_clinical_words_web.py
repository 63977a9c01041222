"""The web pages show no internal words (see tests/report/test_clinical_words.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from test_clinical_words import internal_words, visible


def test_the_web_pages_show_no_internal_words(client: TestClient) -> None:
    new = visible(client.get("/cases/new").text)
    assert internal_words(new) == []
    form = {"paraprotein.isotype": "IgM", "neuropathy.present": "true",
            "antibodies.anti_mag": ">70000", "function.mrs": "2"}  # fmt: skip
    live = visible(client.post("/ui/assess", data=form).text)
    assert "Anti-MAG" in live and internal_words(live) == []
    saved = client.post("/cases", data=form, follow_redirects=False).headers["location"]
    assert internal_words(visible(client.get(saved).text)) == []
    assert internal_words(visible(client.get("/").text)) == []
