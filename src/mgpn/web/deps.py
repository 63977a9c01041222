"""Every dependency of the routers, in one place; tests override them on ``app.dependency_overrides``.

They are ``async def`` although none awaits: FastAPI runs a plain ``def`` dependency in
its thread pool, and for these one-line look-ups the hop to a thread and back cost more
CPU than the look-up (about 0.2 ms each, several per request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from mgpn.web import services
from mgpn.web.accounts import AccountStore
from mgpn.web.services import Evaluated, KnowledgeInfo
from mgpn.web.settings import Settings
from mgpn.web.store import Actor, CaseStore

Evaluator = Callable[[Mapping[str, Any], str], Evaluated]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> CaseStore:
    store: CaseStore = request.app.state.store
    return store


async def get_accounts(request: Request) -> AccountStore:
    accounts: AccountStore = request.app.state.accounts
    return accounts


async def get_actor(request: Request) -> Actor:
    """Who asks, for the audit log: the signed-in user (None with sign-in off) and address."""
    user = getattr(request.state, "user", None)
    client = request.client.host if request.client else None
    return Actor(username=user.username if user else None, client=client)


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def get_evaluator() -> Evaluator:
    return services.evaluate_mapping


async def get_knowledge_info() -> KnowledgeInfo:
    return services.knowledge_info()


async def get_catalog() -> tuple[object, ...]:
    return services.catalog()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[CaseStore, Depends(get_store)]
AccountsDep = Annotated[AccountStore, Depends(get_accounts)]
ActorDep = Annotated[Actor, Depends(get_actor)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
EvaluatorDep = Annotated[Evaluator, Depends(get_evaluator)]
KnowledgeDep = Annotated[KnowledgeInfo, Depends(get_knowledge_info)]
CatalogDep = Annotated[tuple[object, ...], Depends(get_catalog)]
