"""`qbtui sandbox serve`: the QBO-compatible sandbox on loopback."""

from __future__ import annotations

from pathlib import Path

import click

from .config import SandboxConfig, parse_faults
from .fixtures import COMPANIES
from .regions import REGIONS
from .server import is_loopback, run


@click.group("sandbox")
def sandbox() -> None:
    """A QuickBooks Online compatible sandbox server."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless --allow-remote).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--company", type=click.Choice(COMPANIES), default="demo", show_default=True)
@click.option("--region", type=click.Choice(REGIONS), default="us", show_default=True,
              help="Country, home currency and tax codes (us USD, ca CAD, uk GBP, au AUD, nz NZD).")
@click.option("--multicurrency", is_flag=True, help="Turn QBO's multicurrency on (one A/R and A/P per currency).")
@click.option("--throttle", type=click.Choice(["qbo", "off"]), default="qbo", show_default=True)
@click.option("--time-scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Shorten every rate window this many times (60 s -> 60/X s).")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True)
@click.option("--faults", default="", help='e.g. "http500=0.05,drop_after_commit=0.05,timeout=0.02"')
@click.option("--fault-hold-s", type=click.FloatRange(min=0), default=5.0, show_default=True)
@click.option("--fault-seed", type=int, default=None, help="Seed for the fault dice (reproducible runs).")
@click.option("--token-ttl", type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="Access-token lifetime in seconds.")
@click.option("--refresh-grace-s", type=click.FloatRange(min=0), default=86400.0, show_default=True,
              help="How long a rotated-out refresh token keeps working.")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the company in FILE between runs.")
@click.option("--realm-id", default="9341453050298736", show_default=True)
@click.option("--allow-remote", is_flag=True, help="Allow binding an address other than loopback.")
def serve(host: str, port: int, company: str, region: str, multicurrency: bool, throttle: str, time_scale: float,
          latency_ms: float, faults: str, fault_hold_s: float, fault_seed: int | None, token_ttl: float,
          refresh_grace_s: float, state_file: Path | None, realm_id: str, allow_remote: bool) -> None:
    """Serve the sandbox: OAuth at ROOT/oauth2, discovery at ROOT/.well-known/openid_configuration,
    the API at ROOT/v3."""
    if not is_loopback(host) and not allow_remote:
        click.echo(f"refusing to bind {host}: the sandbox binds loopback (127.0.0.1) only; "
                   "pass --allow-remote to serve other hosts", err=True)
        raise SystemExit(2)
    try:
        spec = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    config = SandboxConfig(company=company, region=region, multicurrency=multicurrency, throttle=throttle,
                           time_scale=time_scale, latency_ms=latency_ms, faults=spec, fault_hold_s=fault_hold_s,
                           fault_seed=fault_seed, token_ttl=token_ttl, refresh_grace_s=refresh_grace_s,
                           state_file=state_file, realm_id=realm_id)
    shown = f"[{host}]" if ":" in host else host
    mc = ", multicurrency" if multicurrency else ""
    click.echo(f"qbtui sandbox: company {company}, region {region}{mc} (realm {realm_id}) "
               f"at http://{shown}:{port} "
               f"(discovery http://{shown}:{port}/.well-known/openid_configuration)", err=True)
    run(config, host=host, port=port)
