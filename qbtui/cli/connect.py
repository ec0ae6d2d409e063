"""``qbtui connect``: connect a profile to a QuickBooks company (OAuth 2.0, usable over SSH)."""

from __future__ import annotations

import os

import click

from qbtui.cli.common import Profile, fail, run_async, user_errors
from qbtui.private import private_dir


@click.command("connect")
@click.option("--environment", default="production", show_default=True,
              help="production, sandbox, or the root URL of a qbtui sandbox.")
@click.option("--client-id", help="Your Intuit app's client id.")
@click.option("--client-secret-env", metavar="VAR", help="Read the client secret from this environment variable.")
@click.option("--mode", type=click.Choice(["both_ways", "from_quickbooks"]), default="both_ways", show_default=True)
@click.option("--print-auth-url", is_flag=True, help="Print the authorize URL (one line) and exit.")
@click.option("--redirect-url", help="The address the browser landed on after approving.")
@click.option("--redirect-uri", help="The redirect URI registered in your Intuit app.")
@click.option("--desktop", is_flag=True, help="Make the profile a QuickBooks Desktop one (through the Web Connector).")
@click.option("--password-env", metavar="VAR", help="With --desktop: read the Web Connector's password from this "
                                                    "environment variable.")
@click.option("--username", help="With --desktop: the user name of the .qwc file (default: qbtui).")
@click.pass_obj
@user_errors
def connect_command(profile: Profile, environment: str, client_id: str | None, client_secret_env: str | None,
                    mode: str, print_auth_url: bool, redirect_url: str | None, redirect_uri: str | None,
                    desktop: bool, password_env: str | None, username: str | None) -> None:
    """Connect the profile to a QuickBooks company (OAuth 2.0, usable over SSH), or with --desktop make it a
    QuickBooks Desktop profile served to the Web Connector."""
    from qbtui.sync.connection import begin_connect, finish_connect

    private_dir(profile.path, tighten=True)
    if desktop:
        _connect_desktop(profile, password_env, username)
        return
    if password_env or username:
        fail("--password-env and --username go with --desktop")
    with profile.open(writer=True, command="qbtui connect") as cache:
        if not redirect_url or print_auth_url:
            if not client_id:
                fail("--client-id is required (your Intuit app's client id; see README: Connecting a real company)")
            if client_secret_env:
                secret = os.environ.get(client_secret_env)
                if not secret:
                    fail(f"environment variable {client_secret_env} is empty or not set")
            else:
                secret = click.prompt("client secret", hide_input=True, err=True)
            url = run_async(begin_connect(cache, profile.path, environment=environment, client_id=client_id,
                                          client_secret=secret, redirect_uri=redirect_uri))
            cache.set_setting("integration_mode", mode)
            click.echo(url)
            if print_auth_url:
                click.echo("open that address on your own computer, approve, then run: qbtui connect --redirect-url "
                           "'<the address the browser landed on>'", err=True)
                return
            redirect_url = click.prompt("paste the address the browser landed on", err=True)
        realm_id = run_async(finish_connect(cache, profile.path, redirect_url))
        click.echo(f"connected to company {realm_id}; pulling reference data...", err=True)

        async def pull() -> dict[str, int]:
            from qbtui.sync.connection import open_client
            from qbtui.sync.pull import pull_reference

            async with await open_client(cache, profile.path) as client:
                return await pull_reference(cache, client)

        counts = run_async(pull())
    click.echo(f"connected: {counts.get('accounts', 0)} accounts pulled; next: qbtui map --auto")


def _connect_desktop(profile: Profile, password_env: str | None, username: str | None) -> None:
    from qbtui.desktop import profile as desktop_profile

    if password_env:
        password = os.environ.get(password_env)
        if not password:
            fail(f"environment variable {password_env} is empty or not set")
    else:
        password = click.prompt("Web Connector password", hide_input=True, confirmation_prompt=True, err=True)
    with profile.open(writer=True, command="qbtui connect --desktop") as cache:
        settings = desktop_profile.connect(cache, profile.path, password, username)
    click.echo(f"QuickBooks Desktop profile ready (user {settings['desktop_username']}); next: qbtui desktop qwc "
               "--url URL > qbtui.qwc, add it to the Web Connector, then qbtui desktop serve")


COMMANDS = [connect_command]
