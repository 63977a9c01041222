"""The exit statuses of ``mgpn`` commands (documented in docs/cli.md).

Scripts and pipelines branch on these, so they are the same for every command that
reads case files: ``validate`` and ``evaluate`` exit 1 for a refused file whether
they were asked to check it or to assess it.
"""

from __future__ import annotations

from mgpn.errors import InputError, MgpnError

OK = 0
"""Every input was read (and, for ``evaluate``, assessed)."""
INPUT_REFUSED = 1
"""At least one input file was refused; its problems are on standard error, the others
were still processed."""
CANNOT_RUN = 2
"""The command could not run: a wrong option or argument (click's own usage error),
the knowledge base or the settings were refused, or an output could not be written."""


def status_for(error: MgpnError) -> int:
    """The exit status for an error a command caught: a refused input is 1, anything else 2.

    One rule for every command, so a pipeline can tell "fix this file" from "fix the setup".
    """
    return INPUT_REFUSED if isinstance(error, InputError) else CANNOT_RUN
