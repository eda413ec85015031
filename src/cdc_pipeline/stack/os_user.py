"""Who runs PostgreSQL: the unprivileged OS user when the CLI runs as root, else the current user.

PostgreSQL refuses to run as root. Running it as another user also means that user must be able to enter every
directory down to the state dir, which a root-owned parent with mode 700 (e.g. /root) silently prevents, so
that is checked up front and reported with the fix.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError


def can_traverse(mode: int, owner: int, group: int, uid: int, gids: set[int]) -> bool:
    """Whether ``uid`` (in ``gids``) may enter a directory with these stat fields."""
    if uid == 0:
        return True
    if owner == uid:
        return bool(mode & stat.S_IXUSR)
    if group in gids:
        return bool(mode & stat.S_IXGRP)
    return bool(mode & stat.S_IXOTH)


@dataclass(frozen=True)
class OsUser:
    """Who runs the server, and the command prefix that runs a program as that user."""

    name: str
    uid: int
    gid: int
    gids: frozenset[int]
    prefix: tuple[str, ...]

    def run(self, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        argv = [*self.prefix, *argv]
        return subprocess.run(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )

    def own(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                os.chown(path, self.uid, self.gid)


def os_user(settings: Settings) -> OsUser:
    """As root: the configured unprivileged user (created if missing); otherwise the current user."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid, frozenset(os.getgroups()), ())
    name = settings.postgres_os_user
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _create_os_user(name)
        entry = pwd.getpwnam(name)
    gids = frozenset(os.getgrouplist(name, entry.pw_gid))
    return OsUser(name, entry.pw_uid, entry.pw_gid, gids, ("runuser", "-u", name, "--"))


def _create_os_user(name: str) -> None:
    argv = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StackError(
            f"postgres: could not create OS user {name!r} ({result.stderr.strip()})",
            "create it yourself or set postgres_os_user (env CDC_POSTGRES_OS_USER) to an existing user",
        )


def check_traversable(path: Path, user: OsUser) -> None:
    """PostgreSQL runs as ``user``, which must be able to enter every directory down to the state dir."""
    for directory in [path, *path.parents]:
        info = directory.stat()
        if not can_traverse(info.st_mode, info.st_uid, info.st_gid, user.uid, set(user.gids)):
            mode = stat.filemode(info.st_mode)
            raise StackError(
                f"postgres: OS user {user.name!r} cannot enter {directory} (mode {mode}), "
                f"which holds the state dir {path}",
                f"run `chmod o+x {directory}` or set state_dir (env CDC_STATE_DIR) elsewhere",
            )
