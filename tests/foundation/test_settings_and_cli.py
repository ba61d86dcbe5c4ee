"""Settings come from the environment; the CLI keeps its contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TECHNOPARK = [sys.executable, "-m", "technopark.cli"]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing that this test process (or another test's fixture) set.
    scrubbed = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT"}
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in scrubbed
    }
    return subprocess.run(
        [*TECHNOPARK, *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = _run(["check"], {"DEBUG": "0"}, tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_rejects_a_malformed_boolean(tmp_path: Path) -> None:
    result = _run(["check"], {"DEBUG": "maybe"}, tmp_path)
    assert result.returncode == 1
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "parks.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout


def test_help_lists_every_project_command(tmp_path: Path) -> None:
    result = _run(["--help"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0
    for command in ("serve", "load-reference", "ensure-admin", "migrate", "createsuperuser"):
        assert command in result.stdout


@pytest.mark.django_db
def test_database_url_selects_the_database() -> None:
    from django.conf import settings
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    assert expected in settings.DATABASES["default"]["ENGINE"]


def test_make_run_steps_work_on_an_empty_database(tmp_path: Path) -> None:
    """What `make run` does before serving: migrate, load the reference data twice, make an admin."""
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert _run(["migrate", "--noinput", "-v0"], env, tmp_path).returncode == 0
    first = _run(["load-reference"], env, tmp_path)
    assert "52 created" in first.stdout, first.stderr
    second = _run(["load-reference"], env, tmp_path)
    assert "0 created, 0 updated, 52 kept" in second.stdout
    admin = _run(["ensure-admin"], env, tmp_path)
    assert "one-time password" in admin.stdout
    again = _run(["ensure-admin"], env, tmp_path)
    assert "one-time password" not in again.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/v1/no-such-thing", 404), ("delete", "/api/v1/health", 405)],
)
def test_api_routing_errors_use_the_one_error_format(method: str, path: str, status: int) -> None:
    from django.test import Client

    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"} and path in body["detail"]


def test_redis_url_makes_redis_the_cache(tmp_path: Path) -> None:
    """REDIS_URL switches the cache to Redis (the server this machine runs on 127.0.0.1:6379)."""
    from tests.conftest import require_redis

    require_redis()
    code = (
        "from django.core.cache import caches; cache = caches['default']; "
        "cache.set('technopark-test', 41 + 1, 30); "
        "print(type(cache).__name__, cache.get('technopark-test'))"
    )
    env = {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = _run(["shell", "-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["RedisCache", "42"]
