"""Render a :class:`~mgpn.report.view.ReportView` as a standalone HTML document."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

import jinja2

from mgpn.report.language import field_label
from mgpn.report.view import ReportView, format_value


def field_dom_id(path: str) -> str:
    """The id of a case field's input on the web form (``antibodies.anti_mag`` -> ``f-antibodies-anti_mag``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", path)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def add_filters(env: jinja2.Environment) -> jinja2.Environment:
    """Register the filters the report templates use (the web app's environment needs them too)."""
    env.filters["b64"] = _b64
    env.filters["case_value"] = format_value
    env.filters["field_dom_id"] = field_dom_id
    env.filters["field_label"] = field_label
    return env


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescaped, strict undefined)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mgpn.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    return add_filters(env)


def render_html(view: ReportView) -> str:
    """The report as one self-contained HTML page (inline CSS and plot; no external files)."""
    return environment().get_template("report/report.html").render(view=view)
