"""What git may take from outside retrospect: no hook and no program named by a repository's settings.

Every git process retrospect starts gets `OPTIONS` on its command line, which wins over every configuration
file (the system's, the user's, the repository's): hooks off (a hook in a clone's `hooks/`, or a
`core.hooksPath` anywhere), no file-system monitor, no signature program run by `git log`, no `ext::`
transport. The settings that name a program only for talking to a remote (`core.sshCommand`,
`core.gitProxy`, `credential.helper`, `remote.*.uploadpack`, `url.*.insteadOf`, includes...) are kept out
another way: a cached clone holding any setting retrospect does not write is cloned again
(reporter.git.repos), and the action reads no system or global configuration but a file of its own
(`isolate`). On a user's own machine, the user's global configuration (credential helpers, `mailmap.file`)
still applies to the repositories the user names.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

# Given as `-c NAME=VALUE`: the command line outranks every configuration file.
SETTINGS = (
    "core.hooksPath=/dev/null",  # no hook can exist there
    "core.fsmonitor=false",
    "log.showSignature=false",  # else git log runs gpg.program for each signed commit
    "protocol.ext.allow=never",  # ext:: URLs run a command
)
OPTIONS = tuple(arg for setting in SETTINGS for arg in ("-c", setting))


def command(*args: str) -> list[str]:
    """The argument list of `git ARGS` with `OPTIONS`."""
    return ["git", *OPTIONS, *args]


def settings(config: Path) -> list[tuple[str, str]] | None:
    """The (name, value) pairs of one configuration file as git reads it, includes not followed (a name
    as `git config --list` writes it: section and key in lower case); None when git cannot read it."""
    done = subprocess.run(
        command("config", "--file", str(config), "--no-includes", "-z", "--list"),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        return None
    entries = done.stdout.decode(errors="surrogateescape").split("\0")
    return [(name, value) for name, _, value in (e.partition("\n") for e in entries if e)]


def isolate(environ: MutableMapping[str, str]) -> Path:
    """Make `environ` git's for the action: no variable of git's inherited (an earlier step can set any
    through $GITHUB_ENV), no system configuration, and as global configuration an empty file of
    retrospect's own, in a new private directory (removed at exit) that is also $XDG_CONFIG_HOME (where git
    would read a global attributes or ignore file). Returns that file."""
    private = Path(tempfile.mkdtemp(prefix="retrospect-git-"))
    atexit.register(shutil.rmtree, private, True)
    config = private / "gitconfig"
    config.touch(mode=0o600)
    for name in [name for name in environ if name.startswith("GIT_")]:
        del environ[name]
    environ.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(config), XDG_CONFIG_HOME=str(private))
    return config


def trusted(path: Path) -> list[str]:
    """`-c safe.directory=PATH`: git works in `path` whoever owns it (retrospect made it, or checked it)."""
    return ["-c", f"safe.directory={path.resolve()}"]
