"""The one entry point the incentives interfaces call: a project document in a registry park.

The command line, the API and the calculator page are thin: they find the park (through
`selectors.park_for_evaluation`, which applies the caller's permissions), hand the document to
`evaluate_document` and render what it returns. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from technopark.core.project import Project, parse_project
from technopark.incentives.engine import IncentiveResult, evaluate
from technopark.incentives.selectors import park_facts, regimes
from technopark.parks.models import Park

LANGUAGES = ("en", "ru", "uz")


def evaluate_project(*, park: Park, project: Project) -> IncentiveResult:
    """The incentives of `park`'s regimes for a parsed `project`.

    Raises `RegimeError` when the regime data is malformed (a defect of the installation, not
    of the caller's input).
    """
    return evaluate(project, park_facts(park), regimes())


def evaluate_document(*, park: Park, document: Mapping[str, Any]) -> IncentiveResult:
    """Parse `document` (raises `ProjectError` listing every problem with its JSON path) and
    evaluate it in `park`."""
    return evaluate_project(park=park, project=parse_project(document))
