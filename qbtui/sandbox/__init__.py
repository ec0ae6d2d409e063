"""A QuickBooks Online compatible sandbox: OAuth 2.0, the v3 accounting API, QBO's limits and faults.

    from qbtui.sandbox import SandboxConfig, create_app, serve_in_thread
    app = create_app(SandboxConfig(company="demo"))          # ASGI (httpx2.ASGITransport(app=app))
    with serve_in_thread(SandboxConfig(throttle="off")) as sb:  # uvicorn on a free loopback port
        sb.url  # root: sb.url + "/.well-known/openid_configuration", sb.url + "/v3/company/<realm>/..."

Peer clients: intuitlib takes the discovery URL as its `environment`
(`AuthClient(id, secret, redirect, environment=sb.discovery_url)`); python-quickbooks then needs
`QuickBooks.api_url_v3 = sb.api_url` (plain http needs OAUTHLIB_INSECURE_TRANSPORT=1).
One company (realm) per process; `app.state.company` is the live store (a `Company`), and
`app.state.sandbox` holds the token store, throttle and fault dice. The MetaData/`time` wall clock
is process-wide: the last `create_app` sets it from `config.wall_clock`.
"""

from .app import SandboxState, create_app
from .company import Company
from .config import FaultSpec, SandboxConfig, ThrottleLimits, parse_faults
from .errors import QBOError
from .server import RunningSandbox, is_loopback, run, serve_in_thread

__all__ = ["Company", "FaultSpec", "QBOError", "RunningSandbox", "SandboxConfig", "SandboxState", "ThrottleLimits",
           "create_app", "is_loopback", "parse_faults", "run", "serve_in_thread"]
