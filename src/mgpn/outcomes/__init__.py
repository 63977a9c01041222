"""Follow a patient over time: disability scales, paraprotein markers, response.

Public API::

    from mgpn.outcomes import summarize, plot, draw_figure

    outcomes = summarize(case, since_treatment=False)   # -> Outcomes (mgpn-outcomes/1)
    outcomes.to_json_dict()                              # the JSON contract
    outcomes.render_text()                               # the terminal view
    svg = plot(case, fmt="svg")                          # chart bytes (or fmt="png")
    fig = draw_figure(case, fig=None)                    # a matplotlib Figure to embed
    case = add_visit(case, {"date": "2025-06-01", "mrs": 1})  # validated, date-ordered

The scales' definitions, MCIDs, responder definitions and warning rules are data
(``mgpn/knowledge/data/scales.yaml``), loaded by :func:`load_scales`.
"""

from mgpn.outcomes.model import Outcomes
from mgpn.outcomes.plot import draw_figure, plot
from mgpn.outcomes.scales import OutcomeKnowledge, load_scales
from mgpn.outcomes.summary import summarize
from mgpn.outcomes.text import render_text
from mgpn.outcomes.visits import add_visit

__all__ = [
    "OutcomeKnowledge",
    "Outcomes",
    "add_visit",
    "draw_figure",
    "load_scales",
    "plot",
    "render_text",
    "summarize",
]
