"""Malformed regime files: every error names the file and the field path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from technopark.incentives.loader import RegimeError, load_regime_file, load_regimes


def good(rid: str = "test-regime", **changes: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": rid,
        "jurisdiction": "UZ",
        "names": {"ru": "тест", "uz": "test", "en": "test"},
        "legal_basis": [{"act": "Example act", "number": "X-1", "date": "2020-01-01"}],
        "effective_from": "2020-01-01",
        "confidence": "unverified",
        "applies_to": {"countries": ["UZ"]},
        "benefits": [
            {
                "tax": "property",
                "form": "exemption",
                "brackets": [
                    {"min_investment": 300000, "max_investment": 3000000, "term_months": 36},
                    {"min_investment": 3000000, "max_investment": None, "term_months": 60},
                ],
                "bracket_currency": "USD",
                "start_event": "certificate",
                "extends_on_higher_investment": True,
                "confidence": "unverified",
                "citation": "Example",
            }
        ],
    }
    d.update(changes)
    return d


def write(tmp_path: Path, doc: Any, name: str = "test-regime.yaml") -> Path:
    p = tmp_path / name
    p.write_text(
        yaml.safe_dump(doc, allow_unicode=True) if not isinstance(doc, str) else doc,
        encoding="utf-8",
    )
    return p


def errors(tmp_path: Path) -> list[str]:
    with pytest.raises(RegimeError) as exc:
        load_regimes(tmp_path)
    return exc.value.errors


def test_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, good())
    r = load_regimes(tmp_path)["test-regime"]
    assert r.benefits[0].brackets[1].max_investment is None
    assert r.benefits[0].bracket_edges == "lower_inclusive"


def test_cache_is_invalidated_when_a_file_changes(tmp_path: Path) -> None:
    import os

    p = write(tmp_path, good())
    first = load_regimes(tmp_path)
    assert load_regimes(tmp_path) is first  # cached
    write(tmp_path, good(confidence="verified"))
    os.utime(p, (p.stat().st_atime, p.stat().st_mtime + 5))
    assert load_regimes(tmp_path)["test-regime"].confidence == "verified"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["benefits"][0].update(form="holiday"),
            "test-regime.yaml: $.benefits[0].form: must be one of",
        ),
        (
            lambda d: d["benefits"][0].pop("citation"),
            "test-regime.yaml: $.benefits[0]: 'citation' is required",
        ),
        (
            lambda d: d["benefits"][0].update(tax="income"),
            "test-regime.yaml: $.benefits[0].tax: must be one of",
        ),
        (
            lambda d: d["benefits"][0].update(start_event="birthday"),
            "test-regime.yaml: $.benefits[0].start_event: must be one of",
        ),
        (
            lambda d: d.update(effective_from="17.02.2020"),
            "test-regime.yaml: $.effective_from: must match",
        ),
        (lambda d: d["names"].pop("uz"), "test-regime.yaml: $.names: 'uz' is required"),
        (lambda d: d.update(colour="red"), "test-regime.yaml: $: unknown field(s): 'colour'"),
        (
            lambda d: d["benefits"][0]["brackets"][0].update(term_months=0),
            "test-regime.yaml: $.benefits[0].brackets[0].term_months: must be ≥ 1",
        ),
        (
            lambda d: d.update(confidence="probably"),
            "test-regime.yaml: $.confidence: must be one of",
        ),
    ],
)
def test_schema_errors_name_file_and_path(tmp_path: Path, mutate: Any, expected: str) -> None:
    d = good()
    mutate(d)
    write(tmp_path, d)
    errs = errors(tmp_path)
    assert any(e.startswith(expected) for e in errs), errs


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["benefits"][0]["brackets"][1].update(min_investment=4000000),
            "$.benefits[0].brackets[1].min_investment: must equal the previous bracket's "
            "max_investment",
        ),
        (
            lambda d: d["benefits"][0]["brackets"][1].update(term_months=12),
            "$.benefits[0].brackets[1].term_months: a higher bracket must not shorten the term",
        ),
        (
            lambda d: d["benefits"][0]["brackets"][0].update(max_investment=100),
            "$.benefits[0].brackets[0].max_investment: must be greater than min_investment",
        ),
        (
            lambda d: d["benefits"][0].pop("bracket_currency"),
            "$.benefits[0].bracket_currency: is required with brackets",
        ),
        (
            lambda d: d["benefits"][0].update(form="reduced_rate"),
            "$.benefits[0]: a reduced_rate benefit needs 'rate' or 'schedule'",
        ),
        (
            lambda d: d["benefits"][0].update(form="percentage_reduction"),
            "$.benefits[0]: a percentage_reduction benefit needs 'reduction'",
        ),
        (
            lambda d: d["benefits"][0].update(term_months=12),
            "$.benefits[0]: give either term_months or brackets, not both",
        ),
        (lambda d: d.update(id="other-id"), "$.id: must equal the file name 'test-regime'"),
        (
            lambda d: d.update(effective_to="2019-01-01"),
            "$.effective_to: must be after effective_from",
        ),
        (lambda d: d.update(effective_from="2020-02-30"), "$.effective_from: not a valid date"),
        (lambda d: d.update(benefits=[]), "$.benefits: a regime needs at least one benefit"),
        (
            lambda d: d["benefits"][0].update(
                form="reduced_rate",
                schedule=[
                    {"from_year": 1, "to_year": 5, "rate": 0.02},
                    {"from_year": 7, "to_year": None, "rate": 0.07},
                ],
            ),
            "$.benefits[0].schedule[1].from_year: must be 6 (steps must be contiguous)",
        ),
    ],
)
def test_semantic_errors_name_file_and_path(tmp_path: Path, mutate: Any, expected: str) -> None:
    d = good()
    mutate(d)
    write(tmp_path, d)
    errs = errors(tmp_path)
    assert any(e.startswith(f"test-regime.yaml: {expected}") for e in errs), errs


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "id: x\nnames: [unclosed\n", name="broken.yaml")
    errs = errors(tmp_path)
    assert errs[0].startswith("broken.yaml:") and "invalid YAML" in errs[0]


def test_not_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, "- 1\n- 2\n", name="list.yaml")
    assert errors(tmp_path) == ["list.yaml: $: must be a mapping, got list"]


def test_every_file_is_reported_at_once(tmp_path: Path) -> None:
    a = good("a")
    a["benefits"][0]["form"] = "holiday"
    b = good("b")
    b["names"].pop("en")
    write(tmp_path, a, "a.yaml")
    write(tmp_path, b, "b.yaml")
    errs = errors(tmp_path)
    assert any(e.startswith("a.yaml: $.benefits[0].form") for e in errs)
    assert any(e.startswith("b.yaml: $.names: 'en' is required") for e in errs)


def test_benefits_from_unknown_regime(tmp_path: Path) -> None:
    write(tmp_path, good("child", benefits=[], benefits_from="nowhere"), "child.yaml")
    assert errors(tmp_path) == ["child.yaml: $.benefits_from: unknown regime 'nowhere'"]


def test_benefits_from_copies_benefits(tmp_path: Path) -> None:
    write(tmp_path, good("parent"), "parent.yaml")
    write(tmp_path, good("child", benefits=[], benefits_from="parent"), "child.yaml")
    regimes = load_regimes(tmp_path)
    assert regimes["child"].benefits == regimes["parent"].benefits


def test_yaml_dates_are_accepted(tmp_path: Path) -> None:
    # unquoted YAML dates become date objects; the loader turns them back into ISO strings
    text = yaml.safe_dump(good()).replace("'2020-01-01'", "2020-01-01")
    p = write(tmp_path, text)
    assert load_regime_file(p).effective_from.isoformat() == "2020-01-01"
