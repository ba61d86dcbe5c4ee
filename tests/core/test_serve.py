"""`technopark serve` in production: gunicorn's threaded workers, sized by the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from technopark.core.management.commands import serve

TECHNOPARK = [sys.executable, "-m", "technopark.cli"]


def _environment(**values: str) -> dict[str, str]:
    # Nothing this test process set for itself (pytest-django's settings module, the tests'
    # database): the command reads its settings from the environment alone.
    scrubbed = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT", "REDIS_URL"}
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


def test_defaults_are_one_worker_per_core_with_eight_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The configuration bench/api.py measured best on this machine (docs/benchmarks.md).
    assert _options(monkeypatch, {}) == {
        "workers": os.cpu_count(),
        "threads": 8,
        "access_log": "-",
    }
    settings = serve.gunicorn_settings("127.0.0.1:8000", 2, 8)
    assert settings["worker_class"] == "gthread"
    assert (settings["workers"], settings["threads"]) == (2, 8)


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"WEB_CONCURRENCY": "3"}, (), {"workers": 3, "threads": 8}),
        ({"TECHNOPARK_THREADS": "16"}, (), {"threads": 16}),
        ({"WEB_CONCURRENCY": "3", "TECHNOPARK_THREADS": "2"}, (), {"workers": 3, "threads": 2}),
        # The command line wins over the environment.
        ({"WEB_CONCURRENCY": "3"}, ("--workers", "5", "--threads", "4"), {"workers": 5}),
        ({"TECHNOPARK_THREADS": "2"}, ("--threads", "4"), {"threads": 4}),
        # Empty variables are unset ones.
        ({"WEB_CONCURRENCY": "", "TECHNOPARK_THREADS": ""}, (), {"threads": 8}),
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


def test_the_production_server_answers_with_threaded_workers(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _environment(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TECHNOPARK_VAR=str(tmp_path / "var"),
        WEB_CONCURRENCY="1",
        TECHNOPARK_THREADS="3",
        TECHNOPARK_ACCESS_LOG=str(tmp_path / "access.log"),
    )
    server = subprocess.Popen(
        [*TECHNOPARK, "serve", "--production", "--no-worker", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/health", timeout=5
                ) as r:
                    status = r.status
                break
            except OSError:
                time.sleep(0.3)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert status == 200, output[-3000:]
    assert f"Serving on http://127.0.0.1:{port}/ with 1 workers × 3 threads" in output
    assert "Using worker: gthread" in output  # gunicorn's own log line
    assert '"GET /api/v1/health HTTP/1.1" 200' in (tmp_path / "access.log").read_text()
