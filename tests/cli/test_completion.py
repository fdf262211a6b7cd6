"""`retrospect completion bash|zsh`: shtab's script from the parser, which completes commands and options."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Runs the command and bash: left out of the quick run.
pytestmark = pytest.mark.slow


def script(shell: str) -> str:
    done = subprocess.run([sys.executable, "-m", "reporter", "completion", shell], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


def bash_completes(words: list[str]) -> list[str]:
    """What bash offers for the last of `words`, with the script loaded as bash-completion loads it."""
    line = " ".join(words)
    program = (
        f"source /dev/stdin; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; COMP_LINE='{line}'; "
        f"COMP_POINT={len(line)}; _shtab_retrospect; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    )
    done = subprocess.run(["bash", "-c", program], input=script("bash"), capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_bash_completes_commands_and_their_options() -> None:
    assert bash_completes(["retrospect", "ta"]) == ["table"]
    assert bash_completes(["retrospect", "authors", "--subs"]) == ["--subsystem"]
    assert "--linux_subsystems" in bash_completes(["retrospect", "authors", "--li"])
    assert bash_completes(["retrospect", "table", "--merges", "ex"]) == ["exclude"]


def test_zsh_gets_a_compdef_for_every_command() -> None:
    text = script("zsh")
    assert text.startswith("#compdef retrospect")
    for command in ("authors", "table", "report", "completion"):
        assert f"{command}:" in text


def test_another_shell_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "reporter", "completion", "fish"], capture_output=True, text=True)
    assert done.returncode == 2 and "argument SHELL: invalid choice: 'fish'" in done.stderr
