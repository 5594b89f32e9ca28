"""The `shegong` command. Each module of cli/ that defines `app` (a typer.Typer) becomes a sub-command
named after the module; `start` lives in cli/start.py."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import cli

app = typer.Typer(help="Shegong 社工: community-worker procedures", no_args_is_help=True)


def _register() -> None:
    for mod in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if mod.name == "main":
            continue
        module = importlib.import_module(f"cli.{mod.name}")
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=mod.name.replace("_", "-"))
        command = getattr(module, "command", None)
        if callable(command):
            app.command(name=mod.name.replace("_", "-"))(command)


def main() -> None:
    _register()
    app()
