"""`create_app(config)`: the Starlette app (OAuth + discovery routes, and the `/v3` API)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.applications import Starlette
from starlette.routing import Route

from . import fixtures, state
from .api import Api
from .clock import set_wall_clock
from .company import Company
from .config import SandboxConfig
from .faults import FaultInjector
from .oauth import TokenStore, make_routes
from .throttle import Throttle

log = logging.getLogger("qbtui.sandbox")


class SandboxState:
    """Everything one sandbox process holds; reachable as `app.state.sandbox` (and the company as
    `app.state.company`)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        company = state.load(config.state_file) if config.state_file else None
        if company is None:
            company = fixtures.build(config.company, config.realm_id, region=config.region,
                                     multicurrency=config.multicurrency)
        self.company: Company = company
        self.tokens = TokenStore(company.oauth, config)
        self.throttle = Throttle(config)
        self.faults = FaultInjector(config.faults, config.fault_seed)
        self._saved_changes = -1

    def mark_dirty(self) -> None:
        self.company.changes += 1

    def save_now(self) -> None:
        if self.config.state_file is None:
            return
        if self.company.changes == self._saved_changes:
            return
        changes = self.company.changes
        state.save(self.company, self.config.state_file)
        self._saved_changes = changes

    async def saver(self) -> None:
        while True:
            await asyncio.sleep(self.config.save_interval_s)
            if self.company.changes != self._saved_changes:
                changes = self.company.changes
                data = state.snapshot(self.company)
                await asyncio.to_thread(state.write_atomic, self.config.state_file, data)
                self._saved_changes = changes


class SandboxApp(Starlette):
    """Starlette for OAuth and discovery; `/v3/...` goes straight to the API (the hot path skips the
    middleware stack and the router)."""

    api: Api

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v3/"):
            await self.api(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    config = config or SandboxConfig()
    set_wall_clock(config.wall_clock)
    sandbox = SandboxState(config)
    if config.state_file is not None:
        sandbox.save_now()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(sandbox.saver()) if config.state_file else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            sandbox.save_now()

    api = Api(sandbox)
    routes = make_routes(sandbox) + [Route("/v3/{rest:path}", endpoint=api)]
    app = SandboxApp(routes=routes, lifespan=lifespan)
    app.api = api
    app.state.sandbox = sandbox
    app.state.company = sandbox.company
    app.state.config = config
    return app
