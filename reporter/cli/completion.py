"""`retrospect completion`: the shell's completion script, made by shtab from retrospect's own parser."""

from __future__ import annotations

import argparse
import sys

from reporter.cli import options

SHELLS = ("bash", "zsh")


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "completion",
        "the completion script of bash or zsh",
        "Print the script that completes retrospect's commands and options in SHELL (made by shtab from the\n"
        "parser, so it knows every option of this version). Install it once, where the shell looks:\n"
        "  bash: retrospect completion bash > ~/.local/share/bash-completion/completions/retrospect\n"
        '  zsh:  retrospect completion zsh > "${fpath[1]}/_retrospect", or into a directory added to $fpath\n'
        "        before compinit, then start a new shell.",
        "retrospect completion bash > ~/.local/share/bash-completion/completions/retrospect",
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help=f"one of {', '.join(SHELLS)}")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import shtab  # only this command needs it

    from reporter.cli import build_parser

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0
