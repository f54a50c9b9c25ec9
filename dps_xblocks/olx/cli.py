"""`dps-olx`: the course author's command.

Each subcommand lives in its own module, which exposes `add_arguments(parser)` and
`run(args) -> int`; this module only dispatches, so a new command is one more table entry.
"""

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
COMMANDS = {
    "validate": ("dps_xblocks.olx.validation", "check a course before importing it"),
    "build": ("dps_xblocks.olx.citywide", "build one import package per ward and commune"),
}


def main(argv=None) -> int:
    """Parse the command line, run the chosen subcommand, return its exit code."""
    parser = argparse.ArgumentParser(prog="dps-olx", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        modules[name] = importlib.import_module(module_name)
        modules[name].add_arguments(subparsers.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
