"""How ``mgpn serve`` runs the app under uvicorn: the settings, in one place.

The benchmark's bare FastAPI endpoint is served with the same :func:`uvicorn_options`,
so the comparison measures the app, not the server. Why each setting:

* ``loop="uvloop"`` and ``http="httptools"`` (when installed, as on Linux): the C event
  loop and HTTP parser. uvloop also sets ``TCP_NODELAY`` on every accepted connection;
  with the asyncio loop and more than one worker uvicorn hands the workers a listening
  socket whose protocol number is 0, asyncio then skips ``TCP_NODELAY``, and each
  keep-alive response waits about 40 ms for the client's delayed ACK (uvicorn issue
  #3149, open). So several workers are only offered with uvloop.
* ``access_log=False``: one log line per request costs more than an assessment; the
  hospital's authenticating proxy keeps the access log (``--access-log`` turns it on).
* Several workers (``--workers N``): evaluation is pure Python and holds the GIL, so one
  process uses one core. The database is migrated once, before the workers start; each
  worker builds the app (and reads the knowledge base) once at start, not per request.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from mgpn.web.settings import DATABASE_URL_ENV, Settings


def has_uvloop() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def uvicorn_options(*, workers: int = 1, access_log: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` (without the app, host and port)."""
    uvloop = has_uvloop()
    return {
        "loop": "uvloop" if uvloop else "asyncio",
        "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        "workers": workers if uvloop else 1,
        "access_log": access_log,
        "log_level": "info",
        "timeout_keep_alive": 5,
        "server_header": False,
    }


def served_app() -> FastAPI:
    """The app one worker serves (uvicorn factory): settings from the environment, no migration."""
    from mgpn.web.main import create_app
    from mgpn.web.settings import settings_from_env

    return create_app(settings_from_env(), migrate=False)


def run(
    app: FastAPI,
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> None:
    """Serve ``app`` (already built and migrated); with ``workers`` > 1, one app per worker."""
    import uvicorn

    options = uvicorn_options(workers=workers, access_log=access_log)
    if ssl_certfile is not None:
        options["ssl_certfile"] = str(ssl_certfile)
        options["ssl_keyfile"] = str(ssl_keyfile) if ssl_keyfile else None
    if options["workers"] > 1:
        # Workers are new processes: they rebuild the app from the same settings, which
        # travel in the environment. The session secret must be the same in every worker,
        # or a sign-in made through one would be refused by the next.
        os.environ[DATABASE_URL_ENV] = settings.database_url
        os.environ["MGPN_AUTH"] = "on" if settings.auth_required else "off"
        os.environ["MGPN_SECRET_KEY"] = settings.secret_key
        os.environ["MGPN_ALLOWED_HOSTS"] = ",".join(settings.allowed_hosts)
        uvicorn.run("mgpn.web.server:served_app", factory=True, host=host, port=port, **options)
    else:
        options.pop("workers")
        uvicorn.run(app, host=host, port=port, **options)
