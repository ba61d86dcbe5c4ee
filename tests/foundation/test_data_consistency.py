"""Every legal-regime id that data files refer to names a regime that exists."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from technopark.incentives.loader import load_regimes

SRC = Path(__file__).resolve().parents[2] / "src" / "technopark"


def test_regime_ids_in_reference_and_residents_data_exist() -> None:
    regimes = load_regimes()
    referenced: set[str] = set()
    with open(SRC / "parks/data/reference/park_regimes.csv", encoding="utf-8") as f:
        referenced |= {row["regime_id"] for row in csv.DictReader(f)}
    data = SRC / "residents/templates_data"
    review = yaml.safe_load((data / "review.yaml").read_text(encoding="utf-8"))
    referenced |= set(review.get("regimes", {}))
    for path in (data / "commitments").glob("*.yaml"):
        referenced.add(yaml.safe_load(path.read_text(encoding="utf-8"))["regime_id"])
    assert referenced, "no regime references found"
    assert referenced <= set(regimes), sorted(referenced - set(regimes))
