"""`technopark serve` in production: granian worker processes × threads, sized by the environment."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.core.management.base import CommandError
from granian.constants import Interfaces

from technopark.core.management.commands import serve
from tests.reference_cli import reference_db  # noqa: F401 — the fixture is registered by import

TECHNOPARK = [sys.executable, "-m", "technopark.cli"]
T = TypeVar("T")


def _environment(**values: str) -> dict[str, str]:
    # Nothing this test process set for itself (pytest-django's settings module, the tests'
    # database): the command reads its settings from the environment alone.
    scrubbed = {
        "SECRET_KEY",
        "DEBUG",
        "DATABASE_URL",
        "SECURE_SSL_REDIRECT",
        "REDIS_URL",
        "WEB_CONCURRENCY",
        "TECHNOPARK_THREADS",
        "TECHNOPARK_ACCESS_LOG",
    }
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in scrubbed
    }
    return {**base, **values}


def _options(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> dict[str, Any]:
    for name in ("WEB_CONCURRENCY", "TECHNOPARK_THREADS", "TECHNOPARK_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    parsed = serve.Command().create_parser("technopark", "serve").parse_args(list(args))
    return {"workers": parsed.workers, "threads": parsed.threads, "access_log": parsed.access_log}


def test_defaults_are_one_worker_per_core_with_two_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _options(monkeypatch, {}) == {
        "workers": os.cpu_count(),
        "threads": 2,
        "access_log": "-",
    }
    options = serve.server_options("127.0.0.1:8000", 2, 8)
    assert options["target"] == "technopark.config.wsgi:application"
    assert options["interface"] == Interfaces.WSGI
    assert (options["address"], options["port"]) == ("127.0.0.1", 8000)
    assert (options["workers"], options["blocking_threads"]) == (2, 8)
    assert options["websockets"] is False
    assert options["http1_settings"].keep_alive is True
    assert options["http1_settings"].header_read_timeout == 30_000
    # To standard output: granian's own logging configuration.
    assert options["log_access"] is True
    assert "log_dictconfig" not in options


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"WEB_CONCURRENCY": "3"}, (), {"workers": 3, "threads": 2}),
        ({"TECHNOPARK_THREADS": "16"}, (), {"threads": 16}),
        ({"WEB_CONCURRENCY": "3", "TECHNOPARK_THREADS": "5"}, (), {"workers": 3, "threads": 5}),
        # The command line wins over the environment.
        ({"WEB_CONCURRENCY": "3"}, ("--workers", "5", "--threads", "4"), {"workers": 5}),
        ({"TECHNOPARK_THREADS": "2"}, ("--threads", "4"), {"threads": 4}),
        # Empty variables are unset ones.
        ({"WEB_CONCURRENCY": "", "TECHNOPARK_THREADS": ""}, (), {"threads": 2}),
        ({"TECHNOPARK_ACCESS_LOG": "off"}, (), {"access_log": None}),
        ({"TECHNOPARK_ACCESS_LOG": "OFF"}, (), {"access_log": None}),
        (
            {"TECHNOPARK_ACCESS_LOG": "/var/log/technopark/access.log"},
            (),
            {"access_log": "/var/log/technopark/access.log"},
        ),
        ({"TECHNOPARK_ACCESS_LOG": ""}, (), {"access_log": "-"}),
        ({"TECHNOPARK_ACCESS_LOG": "off"}, ("--access-log", "-"), {"access_log": "-"}),
        ({}, ("--access-log", "off"), {"access_log": None}),
    ],
)
def test_environment_and_options_size_the_server(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: tuple[str, ...],
    expected: dict[str, Any],
) -> None:
    options = _options(monkeypatch, env, *args)
    assert {name: options[name] for name in expected} == expected


def test_the_access_log_goes_to_granians_access_logger() -> None:
    assert serve.server_options("127.0.0.1:8000", 1, 1, None)["log_access"] is False
    options = serve.server_options("127.0.0.1:8000", 1, 1, "/var/log/technopark/access.log")
    assert options["log_access"] is True
    config = options["log_dictconfig"]
    handlers = config["loggers"]["granian.access"]["handlers"]
    assert [config["handlers"][name]["filename"] for name in handlers] == [
        "/var/log/technopark/access.log"
    ]
    # granian's other messages keep its own handler (the configuration replaces its keys).
    assert config["loggers"]["_granian"]["handlers"] == ["console"]


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("10.0.0.5:80", ("10.0.0.5", 80)),
        ("[::1]:8080", ("::1", 8080)),
        ("[::]:65535", ("::", 65535)),
    ],
)
def test_bind_is_an_address_and_a_port(bind: str, expected: tuple[str, int]) -> None:
    assert serve.parse_bind(bind) == expected


@pytest.mark.parametrize(
    "bind",
    [
        "localhost:8000",  # granian does not resolve names
        "127.0.0.1",
        "8000",
        "127.0.0.1:",
        "127.0.0.1:http",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "::1:8000",  # IPv6 goes in brackets
        "[127.0.0.1]:8000",
        "",
    ],
)
def test_a_malformed_bind_is_named(bind: str) -> None:
    with pytest.raises(CommandError, match=re.escape(f"--bind {bind!r} is not an IP address")):
        serve.parse_bind(bind)


def test_help_names_the_variables(tmp_path: Path) -> None:
    result = subprocess.run(
        [*TECHNOPARK, "serve", "--help"],
        env=_environment(DEBUG="1"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for name in ("WEB_CONCURRENCY", "TECHNOPARK_THREADS", "TECHNOPARK_ACCESS_LOG", "--threads"):
        assert name in result.stdout


def test_a_malformed_bind_stops_the_command_before_anything_starts(tmp_path: Path) -> None:
    result = subprocess.run(
        [*TECHNOPARK, "serve", "--production", "--bind", "localhost:8000"],
        env=_environment(DEBUG="1", TECHNOPARK_VAR=str(tmp_path / "var")),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "--bind 'localhost:8000' is not an IP address and a port" in result.stderr
    assert "worker started" not in result.stdout
    assert not (tmp_path / "var" / "static").exists()  # collectstatic did not run


# ---- the production server, run as a user runs it -------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path  # the command's standard output and error
    database: Path

    def get(self, path: str, timeout: float = 30) -> tuple[http.client.HTTPResponse, bytes]:
        """The response to GET `path` on a connection of its own, and its whole body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def output(self) -> str:
        return self.log.read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # granian stops its workers and returns
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def production_server(directory: Path, database: Path, **env: str) -> Iterator[Server]:
    """`technopark serve --production` on a free port, up and answering."""
    port = _free_port()
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*TECHNOPARK, "serve", "--production", "--no-worker", "--bind", f"127.0.0.1:{port}"],
            env=_environment(
                DEBUG="1",
                DATABASE_URL=f"sqlite:///{database}",
                TECHNOPARK_VAR=str(directory / "var"),
                **env,
            ),
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port, process, log, database)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if server.get("/api/v1/health", timeout=5)[0].status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail(f"the server did not answer:\n{server.output()[-3000:]}")
        yield server
    finally:
        _stop(process)


def _copy(database: Path, directory: Path) -> Path:
    """A copy of the reference database that this server alone uses."""
    copy = directory / "db.sqlite3"
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


def _eventually(check: Callable[[], T], timeout: float = 10) -> T:
    """check()'s first true value within `timeout` seconds, or its last one."""
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


@pytest.fixture(scope="module")
def served(
    reference_db: Path,  # noqa: F811 — the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """One production server for the module: 2 workers × 3 threads, the 52 reference parks,
    the access log in a file."""
    directory = tmp_path_factory.mktemp("serve")
    with production_server(
        directory,
        _copy(reference_db, directory),
        WEB_CONCURRENCY="2",
        TECHNOPARK_THREADS="3",
        TECHNOPARK_ACCESS_LOG=str(directory / "access.log"),
    ) as server:
        yield server


@pytest.mark.slow  # a real server (the module's)
def test_the_production_server_serves_pages_and_the_api(served: Server) -> None:
    response, body = served.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Server"] == "granian"
    response, body = served.get("/api/v1/parks")
    assert response.status == 200
    assert json.loads(body)["count"] == 52
    output = served.output()
    assert f"Serving on http://127.0.0.1:{served.port}/ with granian, 2 workers × 3 threads" in (
        output
    )
    assert f"Listening at: http://127.0.0.1:{served.port}" in output  # granian's own line


@pytest.mark.slow  # a real server (the module's)
def test_web_concurrency_starts_that_many_worker_processes(served: Server) -> None:
    def workers() -> list[int]:
        # granian forks its workers from the command's process: same command line.
        root = Path(f"/proc/{served.process.pid}")
        children = [
            int(pid)
            for task in (root / "task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        return [
            pid
            for pid in children
            if Path(f"/proc/{pid}/cmdline").read_bytes() == (root / "cmdline").read_bytes()
        ]

    if not Path(f"/proc/{served.process.pid}/task").exists():
        pytest.skip("no /proc to read the process tree from")
    assert _eventually(lambda: len(workers()) == 2), workers()
    assert "Started worker-2" in served.output()


@pytest.mark.slow  # a real server (the module's)
def test_requests_share_a_keep_alive_connection(served: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        local_ends = []
        for path in ("/api/v1/health", "/api/v1/parks?limit=1"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection", "").lower() != "close"
            assert connection.sock is not None  # not closed after the response
            local_ends.append(connection.sock.getsockname())
        assert local_ends[0] == local_ends[1]  # the same TCP connection
    finally:
        connection.close()


@pytest.mark.slow  # a real server (the module's)
@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_streams_whole_through_granian(served: Server, fmt: str) -> None:
    response, body = served.get(f"/api/v1/parks/export?format={fmt}")
    assert response.status == 200
    # Streamed: sent in chunks as the rows are read, its length unknown beforehand.
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.headers["Content-Length"] is None
    text = body.decode("utf-8-sig")
    if fmt == "csv":
        ids = [row["park_id"] for row in csv.DictReader(io.StringIO(text))]
    else:
        ids = [feature["properties"]["park_id"] for feature in json.loads(text)["features"]]
    with closing(sqlite3.connect(served.database)) as db:
        published = {
            row[0] for row in db.execute("SELECT park_id FROM parks_park WHERE is_published")
        }
    assert len(published) == 52
    assert sorted(ids) == sorted(published)


@pytest.mark.slow  # a real server (the module's)
def test_requests_are_logged_to_the_access_log_file(served: Server) -> None:
    probe = uuid.uuid4().hex
    response, _ = served.get(f"/api/v1/health?probe={probe}")
    assert response.status == 200
    access_log = served.log.parent / "access.log"
    line = _eventually(
        lambda: next((x for x in access_log.read_text().splitlines() if probe in x), None)
    )
    assert line is not None, access_log.read_text()[-3000:]
    assert '"GET /api/v1/health HTTP/1.1" 200' in line
    assert probe not in served.output()  # not on standard output as well


@pytest.mark.slow  # starts a server of its own
@pytest.mark.parametrize(("access_log", "logged"), [("-", True), ("off", False)])
def test_the_access_log_on_standard_output_or_off(
    reference_db: Path,  # noqa: F811 — the fixture imported above
    tmp_path: Path,
    access_log: str,
    logged: bool,
) -> None:
    probe = uuid.uuid4().hex
    with production_server(
        tmp_path, _copy(reference_db, tmp_path), TECHNOPARK_ACCESS_LOG=access_log
    ) as server:
        assert server.get(f"/api/v1/health?probe={probe}")[0].status == 200
        if logged:
            _eventually(lambda: probe in server.output())
    output = server.output()
    assert ('"GET /api/v1/health HTTP/1.1" 200' in output) is logged, output[-3000:]
    assert (probe in output) is logged
