"""The worked examples in the docstrings of the pure site-finder modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["requirements", "index", "cost", "engine", "explain"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"technopark.siting.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_engine_modules_do_not_import_django(name: str) -> None:
    source = importlib.import_module(f"technopark.siting.{name}").__file__
    assert source is not None
    with open(source, encoding="utf-8") as f:
        text = f.read()
    assert "import django" not in text and "from django" not in text
