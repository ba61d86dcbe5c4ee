"""The columnar index: built from dicts or tuples, and correct after any upserts and removes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from technopark.siting.index import SITE_COLUMNS, SiteIndex, parse_isic

PARKS = [
    {"park_id": "P1", "country": "UZ", "region": "Tashkent region", "kind": "sez"},
    {"park_id": "P2", "country": "RU", "region": "Moscow Oblast", "kind": "technopark"},
]


def _site(i: int, **kw: Any) -> dict[str, Any]:
    row = {c: None for c in SITE_COLUMNS}
    row.update(
        site_id=f"S{i}",
        park_id="P1",
        kind="plot",
        area_ha=1.0,
        status="available",
        tenure="lease",
        currency="USD",
        lease_per_year=100.0,
    )
    row.update(kw)
    return row


def test_dicts_and_tuples_build_the_same_index() -> None:
    rows = [_site(1, electricity_mw=2.5, rail_siding=True, as_of="2025-01-02"), _site(2)]
    a = SiteIndex.from_rows(rows, PARKS)
    b = SiteIndex.from_rows([tuple(r[c] for c in SITE_COLUMNS) for r in rows], PARKS)
    for pos in range(2):
        assert a.site(pos) == b.site(pos)
    assert a.site(0)["electricity_mw"] == 2.5 and a.site(0)["rail_siding"] is True
    assert a.site(1)["rail_siding"] is None  # unknown stays unknown
    assert a.nbytes > 0


def test_unknown_values_are_nan_or_unknown_codes() -> None:
    ix = SiteIndex.from_rows(
        [_site(1, area_ha=None, kind=None, status="", tenure=None, hazard_class="unknown")], PARKS
    )
    assert math.isnan(ix.col("area_m2")[0])
    assert (ix.col("kind")[0], ix.col("status")[0], ix.col("tenure")[0]) == (-1, -1, 0)
    assert ix.col("hazard_class")[0] == 0


def test_premises_use_floor_area_and_plots_land_area() -> None:
    ix = SiteIndex.from_rows(
        [_site(1, kind="premises", area_m2=800, area_ha=2), _site(2, area_m2=800, area_ha=2)],
        PARKS,
    )
    assert ix.col("area_m2").tolist() == [800.0, 20_000.0]


def test_park_edits_rejoin_every_site() -> None:
    ix = SiteIndex.from_rows([_site(1), _site(2, park_id="P2"), _site(3, park_id="P9")], PARKS)
    assert ix.col("country").tolist() == [0, 1, -1]  # P9 is not known yet
    ix.upsert_parks(
        [
            {"park_id": "P9", "country": "KZ", "region": "Almaty", "kind": "fez"},
            {"park_id": "P1", "country": "RU", "region": "Pskov Oblast"},
        ]
    )
    assert [ix.countries[c] for c in ix.col("country")] == ["RU", "RU", "KZ"]


def test_isic_codes() -> None:
    assert parse_isic("C2732") == (3, 27, 273, 2732)
    assert parse_isic("D2732") == (-1, -1, -1, -1)  # wrong section for division 27
    assert parse_isic("04") == (-1, -1, -1, -1)  # no such division


# ---- model-based: any sequence of upserts and removes gives the same sites as a dict model

_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("upsert"),
            st.lists(
                st.tuples(
                    st.integers(0, 30),
                    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
                    st.sampled_from(["available", "reserved", None]),
                    st.sampled_from(["P1", "P2"]),
                ),
                max_size=8,
            ),
        ),
        st.tuples(st.just("remove"), st.lists(st.integers(0, 30), max_size=8)),
        st.tuples(st.just("compact"), st.just([])),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_ops)
def test_index_equals_a_dict_model_after_any_edits(ops: list[tuple[str, list[Any]]]) -> None:
    ix = SiteIndex.from_rows([], PARKS)
    model: dict[str, dict[str, Any]] = {}
    for op, args in ops:
        if op == "upsert":
            rows = [_site(i, electricity_mw=mw, status=s, park_id=p) for i, mw, s, p in args]
            ix.upsert(rows)
            for r in rows:
                model[r["site_id"]] = r
        elif op == "remove":
            ids = [f"S{i}" for i in args]
            expected = len({s for s in ids if s in model})
            assert ix.remove(ids) == expected
            for s in ids:
                model.pop(s, None)
        else:
            ix.compact()
        assert len(ix) == len(model)
        alive_ids = sorted(s for s in ix.ids[ix.alive].tolist())
        assert alive_ids == sorted(model)
        for sid, r in model.items():
            got = ix.site(ix.position(sid))
            assert got["electricity_mw"] == r["electricity_mw"]
            assert got["status"] == r["status"]
            assert got["park_id"] == r["park_id"]
        # the joined park column follows each site's park
        live = np.flatnonzero(ix.alive)
        for pos in live.tolist():
            want = "UZ" if model[ix.ids[pos]]["park_id"] == "P1" else "RU"
            assert ix.countries[ix.col("country")[pos]] == want


def test_park_utilities_rows_of_the_registry_are_read() -> None:
    park = {
        "park_id": "P1",
        "country": "UZ",
        "region": "Tashkent region",
        "utilities": [
            {"utility": "electricity", "tariff": 1000, "connection_fee": 50, "currency": "UZS"},
            {"utility": "water", "tariff": None, "connection_fee": 7, "currency": "USD"},
            {"utility": "heat", "tariff": 300000, "currency": "UZS"},
        ],
    }
    ix = SiteIndex.from_rows([_site(1)], [park])
    p = ix.parks
    cur = ix.currencies
    assert p.prices["tariff_electricity_kwh"][0] == 1000
    assert cur[p.price_currency["tariff_electricity_kwh"][0]] == "UZS"
    assert p.prices["conn_electricity_per_kw"][0] == 50
    assert math.isnan(p.prices["tariff_water_m3"][0])  # not given: unknown
    assert p.prices["conn_water_per_m3d"][0] == 7
    assert cur[p.price_currency["conn_water_per_m3d"][0]] == "USD"
    assert p.prices["tariff_heat_gcal"][0] == 300000
