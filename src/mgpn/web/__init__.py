"""The clinicians' web app: FastAPI, server-rendered pages with HTMX, cases in SQL.

``mgpn.web.main.create_app(settings)`` builds it; ``mgpn serve`` runs it with uvicorn.
Submodules are imported on use, so the form and the store work without the engine.
"""
