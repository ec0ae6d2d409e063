"""The Web Connector's side of the conversation, in process (httpx2 over ASGITransport: no network), for the tests:
each call a real SOAP request to qbtui's service, each answer read back from its SOAP response."""

from __future__ import annotations

from pathlib import Path

import httpx2
from click.testing import CliRunner

from qbtui.cli import main
from qbtui.desktop import soap
from qbtui.desktop.service import DesktopService, create_app

PASSWORD = "wc-password-never-printed-7f3a"
PASSWORD_ENV = "QBTUI_TEST_WC_PASSWORD"
URL = "http://127.0.0.1:8766/qbwc"


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=env)


def desktop_profile(data_dir: Path, name: str = "shop") -> Path:
    """A profile made a Desktop one the way a user does it (`qbtui connect --desktop --password-env VAR`)."""
    r = cli(data_dir, "--profile", name, "connect", "--desktop", "--password-env", PASSWORD_ENV,
            env={PASSWORD_ENV: PASSWORD})
    assert r.exit_code == 0, r.output
    from qbtui.cache import profile_dir
    return profile_dir(data_dir, name)


class WebConnector:
    """Plays the QuickBooks Web Connector against a service."""

    def __init__(self, service: DesktopService) -> None:
        self.service = service
        self.client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(service)),
                                         base_url="http://127.0.0.1:8766")

    async def __aenter__(self) -> WebConnector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def call(self, method: str, **params: str | int) -> str | list[str]:
        r = await self.client.post("/qbwc", content=soap.call(method, **params),
                                   headers={"Content-Type": "text/xml; charset=utf-8",
                                            "SOAPAction": f'"{soap.TNS}{method}"'})
        assert r.status_code == 200, r.text
        return soap.result(r.content)
