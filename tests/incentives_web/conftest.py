"""Fixtures of the incentives interface tests (shared ones in tests/reference_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.reference_cli import (  # noqa: F401 — fixtures are registered by import
    ELTECH,
    EXAMPLES,
    ROOT,
    Run,
    cli,
    eltech_park,
    navoi_park,
    reference_db,
)


def load_example(path: Path = ELTECH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
