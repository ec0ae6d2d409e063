"""The ``qbtui`` command (docs/cli.md): every screen action has a headless twin here.

Exit codes: 0 done; 1 some documents (or files) blocked, failed or rejected; 2 could not run; 130 stopped by
Ctrl+C. With ``--json`` one JSON document goes to stdout (``{"error": {...}}`` when the command fails, see
:func:`qbtui.cli.common.fail`) and human messages to stderr.

A package: :mod:`qbtui.cli.common` (profile, errors, output) lies below every command group; each group is a
module of plain click commands (documents, sync, preflight, connect, mapping, settings, maintenance, dashboard,
wizard); this module is only the root group that collects them. No command module imports this one.
"""

from __future__ import annotations

import importlib
import json
import signal
from pathlib import Path
from typing import Any

import click

from qbtui import __version__

__all__ = ["COMMAND_MODULES", "main"]

#: every command and the module that declares it (in its ``COMMANDS``, or by the command's own name): a module is
#: imported when one of its commands runs (or ``qbtui --help`` lists them all), so that a command starts with what it
#: uses, not with the dashboard, the HTTP client, the models or the sandbox server (tests/cli/test_startup.py)
COMMAND_MODULES: dict[str, str] = {
    "demo": "qbtui.cli.dashboard",
    **dict.fromkeys(("schema", "import", "status", "errors", "gates", "update-document", "document",
                     "link-candidates", "link-document"), "qbtui.cli.documents"),
    **dict.fromkeys(("sync", "runs", "undo", "pull"), "qbtui.cli.sync"),
    "export": "qbtui.cli.export",
    "list": "qbtui.cli.listing",
    "discrepancies": "qbtui.cli.discrepancies",
    "preflight": "qbtui.cli.preflight",
    "connect": "qbtui.cli.connect",
    "desktop": "qbtui.cli.desktop",
    "map": "qbtui.cli.mapping",
    "settings": "qbtui.cli.settings",
    **dict.fromkeys(("reconcile", "duplicates", "cogs", "audit", "alerts-read", "autosync", "products", "history",
                     "integration", "repair"), "qbtui.cli.maintenance"),
    "wizard-step": "qbtui.cli.wizard",
    "opening": "qbtui.cli.opening",
    "sandbox": "qbtui.sandbox.cli",
}


class QbtuiGroup(click.Group):
    """qbtui's command group: a usage error (a missing or bad option) of a command given ``--json`` is also
    printed as ``{"error": {"code": "usage", ...}}`` on stdout, like every other failure of a --json command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(COMMAND_MODULES[cmd_name])
            for command in getattr(module, "COMMANDS", None) or (getattr(module, cmd_name),):
                if command.name is not None:
                    self.add_command(command)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        as_json = "--json" in ctx.args
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if as_json:
                command = exc.ctx.command_path if exc.ctx is not None else "qbtui"
                click.echo(json.dumps({"error": {"code": "usage", "message": exc.format_message(),
                                                 "hint": f"`{command} --help` shows the options"}}, indent=2))
            raise


@click.group(cls=QbtuiGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", default="default", show_default=True, envvar="QBTUI_PROFILE", help="Profile (one company).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), envvar="QBTUI_DATA_DIR",
              help="Where profiles live [env QBTUI_DATA_DIR; default: the platform's user data folder].")
@click.option("--no-mouse", is_flag=True, help="Leave the mouse to the terminal (its own text selection).")
@click.version_option(__version__, prog_name="qbtui")
@click.pass_context
def main(ctx: click.Context, profile: str, data_dir: Path | None, no_mouse: bool) -> None:
    """qbtui: send an inventory system's documents to QuickBooks Online, exactly once.

    With no command, opens the dashboard on the profile."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started in the background by a shell without job control (or by a parent that ignores Ctrl+C), the
        # process inherits SIGINT ignored, and neither Ctrl+C nor the dashboard's "stop the upload" could stop
        # a sync cleanly. qbtui's contract is that SIGINT stops any command with exit 130 and its run marked
        # interrupted (nothing is lost: what was sent is looked up first next time), so take SIGINT back.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    from qbtui.cache import default_data_dir
    from qbtui.cli.common import Profile, open_dashboard

    explicit = ctx.get_parameter_source("profile") not in (click.core.ParameterSource.DEFAULT, None)
    ctx.obj = Profile(profile, data_dir or default_data_dir(), no_mouse=no_mouse, explicit=explicit)
    if ctx.invoked_subcommand is None:
        from qbtui.cache.paths import list_profiles

        # firm mode: several profiles (client companies) and none chosen: the companies screen first
        open_dashboard(ctx.obj, firm=not explicit and len(list_profiles(ctx.obj.data_dir)) > 1)

