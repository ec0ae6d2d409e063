"""Running the sandbox under uvicorn: in the foreground (`qbtui sandbox serve`) or in a thread."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from .app import create_app
from .config import SandboxConfig

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _uvicorn_config(app, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                          lifespan="on", http="auto", loop="auto", timeout_keep_alive=30, proxy_headers=False,
                          backlog=2048)


def run(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765, log_level: str = "info") -> None:
    """Serve in the foreground until interrupted."""
    uvicorn.Server(_uvicorn_config(create_app(config), host, port, log_level)).run()


class RunningSandbox(str):
    """What `serve_in_thread` yields: the root URL itself (a str), plus `.url`, `.app`, `.company`,
    `.discovery_url` and `.api_url`."""

    app: Any
    server: uvicorn.Server

    def __new__(cls, url: str, app, server: uvicorn.Server) -> RunningSandbox:
        self = super().__new__(cls, url)
        self.app = app
        self.server = server
        return self

    @property
    def url(self) -> str:
        return str.__str__(self)

    @property
    def company(self):
        return self.app.state.company

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid_configuration"

    @property
    def api_url(self) -> str:
        return f"{self.url}/v3"


@contextlib.contextmanager
def serve_in_thread(config: SandboxConfig | None = None, host: str = "127.0.0.1",
                    port: int = 0) -> Iterator[RunningSandbox]:
    """Run uvicorn in a daemon thread on a free loopback port; yield its root URL (a RunningSandbox str)."""
    config = config or SandboxConfig()
    if not is_loopback(host):
        raise ValueError(f"serve_in_thread binds loopback only, not {host!r}")
    port = port or free_port(host)
    app = create_app(config)
    server = uvicorn.Server(_uvicorn_config(app, host, port))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  (uvicorn < 0.29)
    thread = threading.Thread(target=server.run, name=f"qbtui-sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the sandbox server failed to start")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the sandbox server did not start within 10 s")
        time.sleep(0.01)
    try:
        yield RunningSandbox(f"http://{host}:{port}", app, server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
