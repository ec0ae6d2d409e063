"""``qbtui desktop``: QuickBooks Desktop through the QuickBooks Web Connector (docs/desktop.md).

``qbtui desktop qwc --url URL`` prints the .qwc file to add to the Web Connector; ``qbtui desktop serve`` runs the
Web Connector's SOAP service at ``/qbwc``. A profile becomes a Desktop profile with ``qbtui connect --desktop``."""

from __future__ import annotations

import click

from qbtui.cli.common import Profile, fail, user_errors

DEFAULT_PORT = 8766


def _desktop_settings(profile: Profile) -> dict:
    from qbtui.desktop import profile as desktop_profile

    with profile.open(writer=False, command="qbtui desktop") as cache:
        if not desktop_profile.is_desktop(cache):
            fail("this profile is not a QuickBooks Desktop profile", error="not_connected",
                 hint="run `qbtui --profile P connect --desktop --password-env VAR` first")
        return desktop_profile.settings(cache)


@click.group("desktop")
def desktop() -> None:
    """QuickBooks Desktop through the QuickBooks Web Connector."""


@desktop.command("qwc")
@click.option("--url", required=True, help="The service's address as the Web Connector reaches it, e.g. "
                                           "https://qbtui.example.com/qbwc (http:// only on localhost or 127.0.0.1).")
@click.option("--every-min", type=click.IntRange(min=1), default=None,
              help="Let the Web Connector's scheduler run the profile every N minutes.")
@click.pass_obj
@user_errors
def qwc_command(profile: Profile, url: str, every_min: int | None) -> None:
    """Print the .qwc file to add to the QuickBooks Web Connector (on stdout)."""
    from qbtui.desktop import profile as desktop_profile

    _desktop_settings(profile)
    with profile.open(writer=False, command="qbtui desktop qwc") as cache:
        click.echo(desktop_profile.qwc(cache, profile.name, url, every_min), nl=False)


@desktop.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TLS certificate (PEM): serve https, as the Web Connector needs for an address other than "
                   "localhost.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS private key (PEM).")
@click.option("--company-file", default="", help="The company file the Web Connector opens (default: the one open "
                                                  "in QuickBooks).")
@click.pass_obj
@user_errors
def serve_command(profile: Profile, host: str, port: int, certfile: str | None, keyfile: str | None,
                  company_file: str) -> None:
    """Serve the QuickBooks Web Connector's SOAP service at /qbwc (its WSDL at /qbwc?wsdl) until stopped."""
    import uvicorn

    from qbtui.desktop.service import DesktopService, create_app

    if bool(certfile) != bool(keyfile):
        fail("--certfile and --keyfile go together")
    settings = _desktop_settings(profile)
    service = DesktopService(profile.path, username=str(settings["desktop_username"]), company_file=company_file)
    scheme = "https" if certfile else "http"
    click.echo(f"serving the Web Connector's service at {scheme}://{host}:{port}/qbwc (Ctrl+C stops)", err=True)
    if not certfile and host not in ("127.0.0.1", "localhost"):
        click.echo("note: the Web Connector accepts http:// only on localhost; put a TLS-terminating proxy in front "
                   "or give --certfile and --keyfile", err=True)
    uvicorn.Server(uvicorn.Config(create_app(service), host=host, port=port, log_level="warning", access_log=False,
                                  lifespan="on", ssl_certfile=certfile, ssl_keyfile=keyfile)).run()


COMMANDS = [desktop]
