"""Who runs the stack: the unprivileged OS user when the CLI runs as root, else the current user.

Every component (PostgreSQL, Kafka, Kafka Connect, the sink) runs as that one user (``postgres_os_user``,
default ``cdc``, created when missing): PostgreSQL refuses root, and nothing else needs it. That user owns the
state directory, which is private (directories 0700, files 0600: :func:`secure_tree`), and must be able to
enter every directory down to it and to the programs it runs, which a root-owned parent with mode 700 (e.g.
/root) silently prevents, so that is checked up front and reported with the fix.
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

    @property
    def switches(self) -> bool:
        """True when processes must be started as this user (we are root, it is not)."""
        return os.geteuid() == 0 and self.uid != 0


PRIVATE = 0o700  # the owner's bits only: nothing under the state dir is readable by group or others


def secure_tree(root: Path, user: OsUser) -> None:
    """Make everything under ``root`` owned by ``user`` (when we are root) and private to it.

    Files keep their owner bits and lose every group and other bit; directories become 0700. Cheap enough to
    run before every start (a few thousand lstat calls); entries that vanish meanwhile are skipped.
    """
    if not root.exists():
        return
    for directory, _dirs, files in os.walk(root):
        _secure(Path(directory), user, is_dir=True)
        for name in files:
            _secure(Path(directory) / name, user, is_dir=False)


def _secure(path: Path, user: OsUser, *, is_dir: bool) -> None:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return
        if user.switches and (info.st_uid, info.st_gid) != (user.uid, user.gid):
            os.lchown(path, user.uid, user.gid)
        mode = stat.S_IMODE(info.st_mode)
        wanted = PRIVATE if is_dir else mode & PRIVATE
        if mode != wanted:
            path.chmod(wanted)
    except FileNotFoundError:
        pass


def check_readable(paths: list[Path], user: OsUser, what: str, fix: str = "") -> None:
    """``user`` must reach these paths (the runtime jars, the Python environment) to run ``what``."""
    for path in paths:
        start = path if path.is_dir() else path.parent
        check_traversable(start.resolve(), user, what=what, holds=str(path), fix=fix)


def os_user(settings: Settings) -> OsUser:
    """As root: the configured unprivileged user (created if missing); otherwise the current user."""
    if os.geteuid() != 0:
        return current_user()
    name = settings.postgres_os_user
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _create_os_user(name)
        entry = pwd.getpwnam(name)
    gids = frozenset(os.getgrouplist(name, entry.pw_gid))
    return OsUser(name, entry.pw_uid, entry.pw_gid, gids, ("runuser", "-u", name, "--"))


def current_user() -> OsUser:
    """The user this process runs as (processes it starts stay that user)."""
    entry = pwd.getpwuid(os.geteuid())
    return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid, frozenset(os.getgroups()), ())


def _create_os_user(name: str) -> None:
    argv = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StackError(
            f"postgres: could not create OS user {name!r} ({result.stderr.strip()})",
            "create it yourself or set postgres_os_user (env CDC_POSTGRES_OS_USER) to an existing user",
        )


def check_traversable(
    path: Path, user: OsUser, what: str = "postgres", holds: str = "", fix: str = ""
) -> None:
    """``what`` runs as ``user``, which must be able to enter every directory down to ``path``."""
    holds = holds or f"the state dir {path}"
    fix = fix or "move the project (and state_dir, CDC_STATE_DIR) elsewhere"
    for directory in [path, *path.parents]:
        info = directory.stat()
        if not can_traverse(info.st_mode, info.st_uid, info.st_gid, user.uid, set(user.gids)):
            mode = stat.filemode(info.st_mode)
            raise StackError(
                f"{what}: OS user {user.name!r} cannot enter {directory} (mode {mode}), which holds {holds}",
                f"run `chmod o+x {directory}`, or {fix}",
            )
