"""``python -m ascnb COMMAND …``: one entry point, each command owned by its layer

Every command module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` (a function of the parsed namespace returning an exit code). Modules are
imported lazily so that ``python -m ascnb data …`` does not import torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> module that registers it
COMMANDS = {
    "data": "ascnb.data.cli",
    "models": "ascnb.models.cli",
    "run-experiment": "ascnb.experiment.cli",
    "run": "ascnb.runner",
    "sweep": "ascnb.sweep",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ascnb", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name, module_name in COMMANDS.items():
        if command is not None and name != command:
            subparsers.add_parser(name, help=f"(see python -m ascnb {name} --help)")
            continue
        module = importlib.import_module(module_name)
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else None
    if command is None and argv and not argv[0].startswith("-"):
        print(f"python -m ascnb: unknown command {argv[0]!r}; known: {', '.join(COMMANDS)}",
              file=sys.stderr)
        return 2
    parser = build_parser(command)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)
