"""The project's own PostgreSQL 15 cluster under ``<state_dir>/postgres``, from Debian's binaries.

PostgreSQL refuses to run as root, so when the CLI runs as root the cluster belongs to the unprivileged OS
user ``postgres_os_user`` (created if missing) and every server command runs through ``runuser -u``;
otherwise it runs as the current user. It listens on 127.0.0.1 only (no Unix socket), with logical decoding
on for Debezium.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError
from cdc_pipeline.stack.component import PortSetting, check_ports_free, failure, wait_healthy
from cdc_pipeline.stack.os_user import OsUser, check_traversable, os_user
from cdc_pipeline.stack.process import Processes, parse_pid

NAME = "postgres"
BIN_DIR = Path("/usr/lib/postgresql/15/bin")
CONF_INCLUDE = "cdc_pipeline.conf"


def pg_dir(settings: Settings) -> Path:
    return settings.state_dir.resolve() / "postgres"


def data_dir(settings: Settings) -> Path:
    return pg_dir(settings) / "data"


def port(settings: Settings) -> PortSetting:
    return PortSetting(settings.postgres_port, "postgres_port")


def server_conf(settings: Settings, token: str) -> str:
    """Settings we own, kept in an included file rewritten on every start (so a new port applies)."""
    return (
        "listen_addresses = '127.0.0.1'\n"
        f"port = {settings.postgres_port}\n"
        "unix_socket_directories = ''\n"
        "wal_level = logical\n"
        "max_wal_senders = 40\n"
        "max_replication_slots = 40\n"
        f"cluster_name = '{token}'\n"
    )


def hba_conf() -> str:
    """Password (SCRAM) logins over loopback TCP only, for sessions and for Debezium's replication stream."""
    return (
        "# TYPE  DATABASE     USER  ADDRESS       METHOD\n"
        "host    all          all   127.0.0.1/32  scram-sha-256\n"
        "host    replication  all   127.0.0.1/32  scram-sha-256\n"
    )


def _require_binaries() -> None:
    if not (BIN_DIR / "pg_ctl").is_file():
        raise StackError(
            f"PostgreSQL 15 server binaries are missing ({BIN_DIR}/pg_ctl)",
            "install them: apt-get install postgresql-15",
        )


def _pg(user: OsUser, settings: Settings, *argv: str) -> subprocess.CompletedProcess[str]:
    return user.run([str(BIN_DIR / argv[0]), *argv[1:]], cwd=pg_dir(settings))


def _init_cluster(settings: Settings, user: OsUser) -> None:
    """initdb once; the superuser's password goes through a private temp file, never the command line."""
    pwfile = pg_dir(settings) / ".pwfile"
    pwfile.write_text(settings.postgres_password.get_secret_value() + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    user.own(pwfile)
    try:
        result = _pg(
            user, settings, "initdb", "-D", str(data_dir(settings)), "-U", settings.postgres_user,
            f"--pwfile={pwfile}", "-E", "UTF8", "--no-locale", "--auth=scram-sha-256",
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise StackError(
            f"postgres: initdb in {data_dir(settings)} failed: {_last_line(result)}",
            f"remove {data_dir(settings)} if it is a leftover, then rerun `cdc up`",
        )
    with (data_dir(settings) / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"\n# cdc_pipeline: our settings, rewritten by `cdc up`\ninclude = '{CONF_INCLUDE}'\n")


def _write_conf(settings: Settings, user: OsUser, token: str) -> None:
    for name, text in ((CONF_INCLUDE, server_conf(settings, token)), ("pg_hba.conf", hba_conf())):
        path = data_dir(settings) / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        user.own(path)


def _prepare(settings: Settings, procs: Processes) -> OsUser:
    _require_binaries()
    user = os_user(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    check_traversable(settings.state_dir.resolve(), user)
    pg_dir(settings).mkdir(exist_ok=True)
    pg_dir(settings).chmod(0o700)
    user.own(pg_dir(settings))
    if not (data_dir(settings) / "PG_VERSION").is_file():
        _init_cluster(settings, user)
    _write_conf(settings, user, procs.token)
    user.own(procs.open_log(NAME))
    return user


def start(settings: Settings, procs: Processes) -> float:
    """initdb on first use, ``pg_ctl start -w``, create ``postgres_db`` if missing; return seconds taken."""
    check_ports_free(NAME, [port(settings)])
    user = _prepare(settings, procs)
    log_file = procs.log_file(NAME)
    timeout = str(int(settings.startup_timeout_s))
    options = f"-c cluster_name={procs.token}"  # puts our identity token on the postmaster's command line
    result = _pg(
        user, settings, "pg_ctl", "start", "-D", str(data_dir(settings)), "-w", "-t", timeout,
        "-l", str(log_file), "-o", options,
    )  # fmt: skip
    if result.returncode != 0:
        raise failure(NAME, f"did not start (pg_ctl: {_last_line(result)})", port(settings), log_file)
    adopt(settings, procs)
    return wait_healthy(
        NAME,
        healthy=lambda: _ensure_database(settings),
        alive=lambda: procs.is_running(NAME),
        timeout_s=settings.startup_timeout_s,
        port=port(settings),
        log_file=log_file,
    )


def adopt(settings: Settings, procs: Processes) -> None:
    """Record the postmaster's pid (pg_ctl daemonizes it) in our pid file, if it is ours."""
    try:
        pid = parse_pid((data_dir(settings) / "postmaster.pid").read_text(encoding="ascii", errors="replace"))
    except OSError:
        return
    if pid is not None and not procs.is_running(NAME):
        procs.write_pid(NAME, pid)
        procs.is_running(NAME)  # drops the file again if that pid is not our postmaster


def _connect(settings: Settings, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1",
        port=settings.postgres_port,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value(),
        dbname=dbname,
        connect_timeout=3,
        autocommit=True,
    )


def _ensure_database(settings: Settings) -> bool:
    try:
        with _connect(settings, "postgres") as conn:
            query = "select 1 from pg_database where datname = %s"
            found = conn.execute(query, (settings.postgres_db,)).fetchone()
            if found is None:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(settings.postgres_db)))
    except psycopg.OperationalError as exc:
        if "password authentication failed" in str(exc):
            raise _wrong_password(settings) from exc
        return False
    except psycopg.Error:
        return False
    return healthy(settings)


def _wrong_password(settings: Settings) -> StackError:
    """Waiting cannot fix this: the cluster keeps the password it was initialised with."""
    return StackError(
        f"postgres: login as {settings.postgres_user!r} on port {settings.postgres_port} was refused: "
        f"the cluster in {data_dir(settings)} was initialised with another postgres_password",
        "restore the old POSTGRES_PASSWORD in .credentials, or change it in the database (ALTER ROLE)",
    )


def healthy(settings: Settings) -> bool:
    """A real login to ``postgres_db`` and ``select 1``: the port alone could belong to anyone."""
    try:
        with _connect(settings, settings.postgres_db) as conn:
            return conn.execute("select 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def stop(settings: Settings, procs: Processes) -> bool:
    """``pg_ctl stop -m fast`` (rolls back sessions, checkpoints); signals the postmaster if pg_ctl fails."""
    if not procs.is_running(NAME):
        return False
    user = os_user(settings)
    argv = ["pg_ctl", "stop", "-D", str(data_dir(settings)), "-m", "fast", "-w", "-t", "60"]
    result = _pg(user, settings, *argv)
    if result.returncode != 0:
        procs.stop(NAME, timeout_s=60.0, sig=signal.SIGINT)  # SIGINT is the postmaster's "fast" shutdown
    procs.pid_file(NAME).unlink(missing_ok=True)
    return True


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else f"exit code {result.returncode}"
