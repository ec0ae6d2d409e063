"""Start-up: a command imports what it uses. The root group knows each command's module without importing it
(qbtui.cli.COMMAND_MODULES), and commands that print or count start without the dashboard, the HTTP client, the
OAuth library or the sandbox server (each child process the dashboard starts pays its imports)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import click

from qbtui.cli import COMMAND_MODULES, main

HEAVY = ("textual", "httpx2", "authlib", "starlette", "uvicorn", "pydantic")

_PROBE = """
import json, sys
from qbtui.cli import main
try:
    main(sys.argv[1:], prog_name="qbtui", standalone_mode=False)
except SystemExit:
    pass
print()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout.strip().splitlines()[-1]))


def test_every_command_is_declared_where_the_root_group_looks_for_it():
    declared: dict[str, str] = {}
    for module_name in sorted(set(COMMAND_MODULES.values())):
        module = importlib.import_module(module_name)
        commands = getattr(module, "COMMANDS", None) or [getattr(module, name) for name, where in COMMAND_MODULES.items()
                                                          if where == module_name]
        for command in commands:
            assert isinstance(command, click.Command)
            declared[command.name] = module_name
    assert declared == COMMAND_MODULES
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(COMMAND_MODULES)
    assert all(main.get_command(ctx, name) is not None for name in COMMAND_MODULES)


def test_version_and_a_commands_help_import_nothing_heavy():
    for args in (["--version"], ["status", "--help"], ["sync", "--help"], ["undo", "--help"]):
        assert not _imported(*args) & set(HEAVY), args


def test_status_of_a_profile_imports_no_http_client_no_dashboard_no_server(tmp_path):
    env = {**os.environ, "QBTUI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.pathsep.join(sys.path)}
    loaded = _imported("status", "--json", env=env)
    assert not loaded & {"textual", "httpx2", "authlib", "starlette", "uvicorn"}


def test_the_document_child_imports_no_http_client(tmp_path):
    """``qbtui document`` is the child the dashboard starts on Enter and ``e``: its start-up is part of the wait."""
    from qbtui.cache import Cache

    profile = tmp_path / "data" / "profiles" / "default"
    with Cache.open(profile, writer=True) as cache:
        cache.upsert_documents([{"type": "customer", "ref": "C-1", "name": "Customer 1"}])
    env = {**os.environ, "QBTUI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.pathsep.join(sys.path)}
    loaded = _imported("--profile", "default", "document", "customer", "C-1", "--events", env=env)
    assert "qbtui" in loaded and not loaded & {"textual", "httpx2", "authlib", "starlette", "uvicorn"}
