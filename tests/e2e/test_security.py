"""The live stack as a hostile local user meets it: the endpoint reaches nothing but the replica and wants its
token; every component runs unprivileged; the state directory is private; the password is nowhere.

It uses the session's stack (its own sink runs detached, as `cdc up` starts it) and, for the load tests, a
sink of its own pipeline.
"""

from __future__ import annotations

import os
import pwd
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.observe.endpoint.token import token_path
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack.process import Processes, read_cmdline
from tests.duckdb.test_endpoint_security import FILE_READS
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import RunningSink, eventually, running_sink, sink_status

COMPONENTS = ("postgres", "kafka", "connect", "sink")
SECRET_TEXT = "a-secret-only-root-may-read"


@pytest.fixture(scope="module")
def secret_file() -> Iterator[Path]:
    """A root-only file outside the replica, as /etc/shadow is."""
    directory = Path("/tmp") / f"cdc-e2e-secret-{uuid.uuid4().hex[:8]}"
    directory.mkdir(mode=0o700)
    path = directory / "secret.txt"
    path.write_text(f"{SECRET_TEXT}\n")
    path.chmod(0o600)
    yield path
    path.unlink()
    directory.rmdir()


def query(
    settings: Settings, sql: str, headers: dict[str, str] | None = None, timeout_s: float = 60
) -> httpx.Response:
    headers = endpoint_headers(settings) if headers is None else headers
    url = f"{endpoint_url(settings)}/query"
    return httpx.post(url, json={"sql": sql}, headers=headers, timeout=timeout_s)


def bookkeeping_rows(settings: Settings) -> list[Any]:
    answer = query(settings, "SELECT * FROM _cdc.offsets ORDER BY ALL")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["rows"])


def test_the_sink_that_cdc_up_starts_wants_its_token(stack_settings: Settings) -> None:
    path = token_path(stack_settings.state_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert query(stack_settings, "SELECT 42").json()["rows"] == [[42]]
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": path.read_text().strip()}):
        answer = query(stack_settings, "SELECT 42", headers)
        assert answer.status_code == 401 and "rows" not in answer.json(), answer.text
        assert str(path) in answer.json()["error"]
        status = httpx.get(f"{endpoint_url(stack_settings)}/status", headers=headers, timeout=10)
        assert status.status_code == 401
    assert httpx.get(f"{endpoint_url(stack_settings)}/health", timeout=10).status_code == 200


@pytest.mark.parametrize("template", FILE_READS)
def test_no_statement_reads_a_file_through_the_live_endpoint(
    stack_settings: Settings, secret_file: Path, template: str
) -> None:
    sql = template.format(f=secret_file, d=secret_file.parent)
    answer = query(stack_settings, sql)
    assert answer.status_code in {400, 403}, (sql, answer.text)
    assert SECRET_TEXT not in answer.text


def test_no_table_function_duckdb_ships_reads_a_file(stack_settings: Settings, secret_file: Path) -> None:
    """Every table function of the sink's DuckDB, called with a file path (and its token file's)."""
    listed = query(
        stack_settings,
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table' ORDER BY 1",
    )
    names = [row[0] for row in listed.json()["rows"]]
    assert "read_text" in names and len(names) > 30, names
    token = token_path(stack_settings.state_dir).read_text().strip()
    leaked = []
    for name in names:
        for target in (secret_file, token_path(stack_settings.state_dir)):
            answer = query(stack_settings, f"SELECT * FROM {name}('{target}')")
            if SECRET_TEXT in answer.text or token in answer.text:
                leaked.append(name)
    assert leaked == [], f"table functions that read a file: {leaked}"


@pytest.mark.parametrize(
    "sql",
    [
        "WITH x AS (DELETE FROM _cdc.offsets RETURNING *) SELECT * FROM x",
        "WITH x AS (UPDATE _cdc.offsets SET next_offset = 0 RETURNING *) SELECT * FROM x",
        "DELETE FROM _cdc.offsets",
        "SELECT 1; DELETE FROM _cdc.offsets",
        "COPY _cdc.offsets TO '/tmp/cdc-e2e-stolen.csv'",
        "ATTACH '/tmp/cdc-e2e-other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "SELECT checkpoint()",
        "EXPLAIN ANALYZE DELETE FROM _cdc.offsets",
    ],
)
def test_no_statement_writes_through_the_live_endpoint(stack_settings: Settings, sql: str) -> None:
    before = bookkeeping_rows(stack_settings)
    answer = query(stack_settings, sql)
    assert answer.status_code in {400, 403}, (sql, answer.text)
    assert bookkeeping_rows(stack_settings) == before, f"{sql} changed the bookkeeping"
    assert not Path("/tmp/cdc-e2e-stolen.csv").exists() and not Path("/tmp/cdc-e2e-other.duckdb").exists()


def test_every_component_runs_as_the_unprivileged_user(stack_settings: Settings) -> None:
    procs = Processes(stack_settings.state_dir)
    expected = pwd.getpwnam(stack_settings.postgres_os_user).pw_uid if os.geteuid() == 0 else os.geteuid()
    for name in COMPONENTS:
        pid = procs.pid(name)
        assert pid is not None, f"{name} is not running"
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        uids = next(line for line in lines if line.startswith("Uid:"))
        real, effective = (int(v) for v in uids.split()[1:3])
        assert (real, effective) == (expected, expected), f"{name} (pid {pid}) runs as uid {real}/{effective}"
        if os.geteuid() == 0:
            assert effective != 0


def test_the_state_directory_is_private(stack_settings: Settings) -> None:
    root = stack_settings.state_dir
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    exposed = []
    for directory, _dirs, files in os.walk(root):
        for path in [Path(directory), *(Path(directory) / f for f in files)]:
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
                continue
            if info.st_mode & 0o077:
                exposed.append(f"{path} {stat.filemode(info.st_mode)}")
    assert exposed == [], "readable by group or others:\n" + "\n".join(exposed[:20])


def test_the_password_is_nowhere(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    """Not under the state directory (logs, Kafka's segments: every topic, Connect's config topic included,
    DuckDB, PostgreSQL's files), not in Connect's REST answers, not on any command line."""
    password = stack_settings.postgres_password.get_secret_value().encode()
    suffix = uuid.uuid4().hex[:8]
    table = f"sec_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_sec_{suffix}", tmp_path)
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, v text)")
    pg.execute(f"INSERT INTO {table} VALUES (1, 'x')")
    apply_connector(settings, [TableRef("public", table)])
    with ConnectClient(settings.connect_url) as client:
        answers = [
            httpx.get(f"{settings.connect_url}{path}", timeout=10).text
            for path in (
                "/connectors?expand=info&expand=status",
                f"/connectors/{settings.connector_name}",
                f"/connectors/{settings.connector_name}/config",
                f"/connectors/{settings.connector_name}/tasks",
                f"/connectors/{settings.connector_name}/status",
            )
        ]
        client.delete(settings.connector_name)
    for text in answers:
        assert password.decode() not in text
    assert "${env:" in answers[2], "the connector references the password"
    time.sleep(2)  # Connect's config topic and the logs have what the connector's life wrote
    found = []
    for directory, _dirs, files in os.walk(stack_settings.state_dir):
        for name in files:
            path = Path(directory) / name
            try:
                if password in path.read_bytes():
                    found.append(str(path))
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                continue
    assert found == [], f"the password is in {found}"
    procs = Processes(stack_settings.state_dir)
    for component in COMPONENTS:
        pid = procs.pid(component)
        assert pid is not None and password not in read_cmdline(pid), component


def batches(sink: RunningSink) -> int:
    """Batches the sink has committed (0 while its endpoint is not up yet)."""
    sink()
    try:
        return int(sink_status(sink)["batches"])
    except OSError:
        return 0


def test_the_sink_keeps_committing_while_50_queries_run(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"busy_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_busy_{suffix}", tmp_path, sink_max_events=500)
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, v text NOT NULL)")
    apply_connector(settings, [TableRef("public", table)])
    stop = threading.Event()

    def load() -> None:
        with psycopg.connect(postgres_dsn(settings), autocommit=True) as writer:
            n = 0
            while not stop.is_set() and n < 200_000:
                insert = f"INSERT INTO {table} SELECT g, 'v' FROM generate_series(%s::int, %s::int) g"
                writer.execute(insert, (n, n + 199))
                n += 200
                time.sleep(0.05)

    with running_sink(settings) as sink:
        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        eventually("the sink applies batches", lambda: batches(sink) > 0)
        answers: list[tuple[int, str]] = []
        heavy = f"SELECT count(*), sum(hash(a.id + b.range)) FROM {table} a, range(2000) b"
        in_flight = threading.Barrier(51)

        def reader() -> None:
            in_flight.wait()
            try:
                answer = query(sink.settings, heavy, timeout_s=600)
                answers.append((answer.status_code, answer.text[:300]))
            except httpx.HTTPError as exc:
                answers.append((0, repr(exc)))

        readers = [threading.Thread(target=reader, daemon=True) for _ in range(50)]
        for thread in readers:
            thread.start()
        in_flight.wait()
        before = batches(sink)
        eventually(
            "the sink commits more batches while 50 queries run",
            lambda: batches(sink) >= before + 3 or not any(t.is_alive() for t in readers),
            timeout_s=300,
        )
        busy = sum(t.is_alive() for t in readers)
        after = batches(sink)
        for thread in readers:
            thread.join(timeout=600)
        stop.set()
        loader.join(timeout=60)
        assert after >= before + 3, f"only {after - before} batches while the queries ran"
        assert busy > 0, "every query had finished: they did not overlap the commits"
        failed = [a for a in answers if a[0] != 200]
        assert len(answers) == 50 and not failed, failed
        cut = query(sink.settings, "SELECT * FROM range(100000000)")
        assert cut.status_code == 413 and "SINK_QUERY_MAX_ROWS" in cut.json()["error"]
        sink()
