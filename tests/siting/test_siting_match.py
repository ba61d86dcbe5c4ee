"""The matcher against a brute-force pure-Python reference written here, over synthetic data
generated here (hypothesis): every feasible site is found, every result satisfies every hard
constraint, and near misses violate exactly what they say."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from technopark.core.taxes import FxRate, FxTable
from technopark.siting.engine import match
from technopark.siting.index import SiteIndex

PARKS = {
    "P1": {
        "park_id": "P1",
        "country": "UZ",
        "region": "Tashkent region",
        "kind": "sez",
        "industries": ["2732"],
    },
    "P2": {
        "park_id": "P2",
        "country": "UZ",
        "region": "Navoi region",
        "kind": "fez",
        "industries": ["27"],
    },
    "P3": {
        "park_id": "P3",
        "country": "RU",
        "region": "Moscow Oblast",
        "kind": "technopark",
        "industries": ["C"],
    },
    "P4": {"park_id": "P4", "country": "RU", "region": "Pskov Oblast", "kind": "industrial_park"},
}
#: per USD, valuation year 2025 (test figures, not real rates); EUR deliberately has none
PER_USD = {"USD": 1.0, "UZS": 12_000.0, "RUB": 80.0}
AS_OF = "2025-06-01"


def _fx() -> FxTable:
    return FxTable(
        {c: {2025: FxRate(c, 2025, v, "test", "test")} for c, v in PER_USD.items() if c != "USD"}
    )


def maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


num = st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 1))
dist = st.floats(0, 100, allow_nan=False).map(lambda x: round(x))
price = st.floats(0, 2_000_000, allow_nan=False).map(lambda x: round(x, -3))

site_st = st.fixed_dictionaries(
    {
        "park_id": st.sampled_from(["P1", "P2", "P3", "P4", "P9"]),
        "kind": maybe(st.sampled_from(["plot", "premises"])),
        "area_ha": maybe(num),
        "area_m2": maybe(st.sampled_from([0.0, 500.0, 5_000.0, 30_000.0])),
        "status": maybe(st.sampled_from(["available", "reserved", "occupied"])),
        "tenure": maybe(st.sampled_from(["sale", "lease", "both"])),
        "sale_price": maybe(price),
        "lease_per_year": maybe(price),
        "currency": maybe(st.sampled_from(["USD", "UZS", "RUB", "EUR"])),
        "electricity_mw": maybe(num),
        "gas_m3h": maybe(num),
        "water_m3d": maybe(num),
        "wastewater_m3d": maybe(num),
        "rail_siding": maybe(st.booleans()),
        "hazard_class": maybe(st.integers(1, 5)),
        "dist_airport_km": maybe(dist),
        "dist_rail_km": maybe(dist),
        "dist_port_km": maybe(dist),
        "dist_highway_km": maybe(dist),
        "dist_border_km": maybe(dist),
        "as_of": maybe(st.sampled_from(["2020-01-01", "2024-12-31", "2025-05-01"])),
    }
)


@st.composite
def requirements_st(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"top": 1000, "near_misses": 1000, "as_of": AS_OF}
    opt = lambda: draw(st.booleans())  # noqa: E731
    if opt():
        doc["countries"] = draw(
            st.lists(st.sampled_from(["UZ", "RU", "KZ"]), min_size=1, max_size=2, unique=True)
        )
    if opt():
        doc["regions"] = draw(
            st.lists(
                st.sampled_from(["Tashkent region", "Moscow Oblast", "Navoi region"]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
    if opt():
        doc["park_kinds"] = draw(
            st.lists(
                st.sampled_from(["sez", "fez", "technopark", "industrial_park"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
    if opt():
        doc["site_kind"] = draw(st.sampled_from(["plot", "premises", "any"]))
    if opt():
        lo, hi = sorted([draw(num), draw(num)])
        unit = draw(st.sampled_from(["ha", "m2"]))
        scale = 1.0 if unit == "ha" else 10_000.0
        if opt():
            doc[f"area_{unit}_min"] = lo * scale
        if opt():
            doc[f"area_{unit}_max"] = hi * scale
    for key in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d"):
        if opt():
            doc[key] = draw(num)
    if opt():
        doc["rail_siding"] = draw(st.booleans())
    if opt():
        doc["hazard_class"] = draw(st.integers(1, 5))
    if opt():
        doc["tenure"] = draw(st.sampled_from(["sale", "lease", "any"]))
    if opt():
        kinds = draw(
            st.lists(
                st.sampled_from(["airport", "rail", "port", "highway", "border"]),
                min_size=1,
                unique=True,
            )
        )
        doc["max_distance_km"] = {k: draw(dist) for k in kinds}
    if opt():
        b: dict[str, Any] = {"currency": draw(st.sampled_from(["USD", "UZS", "RUB"]))}
        if opt():
            b["max_sale_price"] = draw(price) * PER_USD[b["currency"]]
        if opt():
            b["max_lease_per_year"] = draw(price) * PER_USD[b["currency"]]
        doc["budget"] = b
    doc["unknown_ok"] = draw(st.booleans())
    return doc


# --------------------------------------------------------------------------- the reference


def reference(site: dict[str, Any], doc: dict[str, Any]) -> tuple[bool, set[str]]:
    """(inside the search scope?, names of the hard constraints the site fails), written from
    the specification without the engine's code."""
    park = PARKS.get(site["park_id"])
    in_scope = True
    if "countries" in doc:
        in_scope &= park is not None and park["country"] in doc["countries"]
    if "regions" in doc:
        in_scope &= park is not None and park["region"] in doc["regions"]
    if "park_kinds" in doc:
        in_scope &= park is not None and park["kind"] in doc["park_kinds"]
    uok = doc["unknown_ok"]
    bad: set[str] = set()

    def check(name: str, value: Any, ok: Any) -> None:
        if value is None:
            if not uok:
                bad.add(name)
        elif not ok(value):
            bad.add(name)

    check("status", site["status"], lambda v: v == "available")
    if doc.get("site_kind", "any") != "any":
        check("site_kind", site["kind"], lambda v: v == doc["site_kind"])
    ha = None if site["area_ha"] is None else site["area_ha"] * 10_000.0
    m2 = site["area_m2"]
    area = (
        (m2 if m2 is not None else ha)
        if site["kind"] == "premises"
        else (ha if ha is not None else m2)
    )
    lo = doc.get("area_ha_min", doc.get("area_m2_min"))
    hi = doc.get("area_ha_max", doc.get("area_m2_max"))
    if "area_ha_min" in doc:
        lo = doc["area_ha_min"] * 10_000.0
    if "area_ha_max" in doc:
        hi = doc["area_ha_max"] * 10_000.0
    if lo is not None or hi is not None:
        check("area", area, lambda v: (lo is None or v >= lo) and (hi is None or v <= hi))
    for key in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d"):
        if key in doc:
            check(key, site[key], lambda v, k=key: v >= doc[k])
    if doc.get("rail_siding"):
        check("rail_siding", site["rail_siding"], lambda v: v is True)
    if "hazard_class" in doc:
        check("hazard_class", site["hazard_class"], lambda v: doc["hazard_class"] >= v)
    tenure = doc.get("tenure", "any")
    offers = {"sale": {"sale"}, "lease": {"lease"}, "both": {"sale", "lease"}}.get(
        site["tenure"], set()
    )
    if tenure != "any":
        check("tenure", site["tenure"], lambda v: tenure in offers)
    for k, mx in doc.get("max_distance_km", {}).items():
        check(f"distance.{k}", site[f"dist_{k}_km"], lambda v, mx=mx: v <= mx)
    b = doc.get("budget")
    if b and ("max_sale_price" in b or "max_lease_per_year" in b):
        allowed = offers & ({"sale", "lease"} if tenure == "any" else {tenure})
        results = []
        for option in sorted(allowed):
            limit = b.get(f"max_{option}_price" if option == "sale" else "max_lease_per_year")
            if limit is None:
                results.append(True)
                continue
            p = site["sale_price" if option == "sale" else "lease_per_year"]
            cur = site["currency"]
            if p is None or cur not in PER_USD:
                results.append(None)
                continue
            results.append(p * (PER_USD[b["currency"]] / PER_USD[cur]) <= limit)
        if allowed and not (True in results or (uok and None in results)):
            bad.add("budget")
    return in_scope, bad


# --------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(site_st, max_size=40), requirements_st())
def test_match_equals_the_brute_force_reference(sites: list[dict], doc: dict) -> None:
    rows = [{"site_id": f"S{i}", **s} for i, s in enumerate(sites)]
    ix = SiteIndex.from_rows(rows, PARKS.values())
    res = match(ix, doc, fx=_fx()).to_dict()

    ref = {r["site_id"]: reference(r, doc) for r in rows}
    feasible = {s for s, (scope, bad) in ref.items() if scope and not bad}
    assert res["feasible_count"] == len(feasible)
    assert {r["site_id"] for r in res["results"]} == feasible
    for r in res["results"]:  # every result satisfies every hard constraint
        assert ref[r["site_id"]] == (True, set())
        assert r["park_id"] == rows[int(r["site_id"][1:])]["park_id"]

    near = {s: bad for s, (scope, bad) in ref.items() if scope and 1 <= len(bad) <= 2}
    got = {m["site_id"]: m for m in res["near_misses"]}
    assert set(got) == set(near)
    for sid, m in got.items():
        assert {v["constraint"] for v in m["violations"]} == near[sid]
        site = rows[int(sid[1:])]
        for v in m["violations"]:
            col = {"site_kind": "kind"}.get(v["constraint"], v["constraint"])
            if v["constraint"] in (
                "status",
                "site_kind",
                "rail_siding",
                "hazard_class",
                "electricity_mw",
                "gas_m3h",
                "water_m3d",
                "wastewater_m3d",
            ):
                expected = site[col] if site[col] is not None else "unknown"
                assert v["available"] == expected
            if v["constraint"].startswith("distance."):
                d = site[f"dist_{v['constraint'].split('.')[1]}_km"]
                assert v["available"] == (d if d is not None else "unknown")
    # fewest violations first
    counts = [len(m["violations"]) for m in res["near_misses"]]
    assert counts == sorted(counts)


@settings(max_examples=60, deadline=None)
@given(st.lists(site_st, min_size=1, max_size=30), requirements_st(), st.data())
def test_match_is_correct_after_upserts_and_removes(
    sites: list[dict], doc: dict, data: st.DataObject
) -> None:
    rows = [{"site_id": f"S{i}", **s} for i, s in enumerate(sites)]
    ix = SiteIndex.from_rows(rows, PARKS.values())
    match(ix, doc, fx=_fx())  # what the index derives for a query must follow the edits below
    gone = data.draw(st.sets(st.sampled_from([r["site_id"] for r in rows])))
    ix.remove(gone)
    changed = data.draw(st.lists(site_st, max_size=10))
    edits = [{"site_id": f"S{i}", **s} for i, s in enumerate(changed)]  # overwrite or revive
    ix.upsert(edits)
    model = {r["site_id"]: r for r in rows if r["site_id"] not in gone}
    model.update({r["site_id"]: r for r in edits})
    res = match(ix, doc, fx=_fx()).to_dict()
    feasible = {s for s, r in model.items() if reference(r, doc) == (True, set())}
    assert {r["site_id"] for r in res["results"]} == feasible


def test_unknown_ok_admits_unknown_values_and_says_so() -> None:
    rows = [{"site_id": "A", "park_id": "P1", "status": "available", "electricity_mw": None}]
    ix = SiteIndex.from_rows(rows, PARKS.values())
    strict = match(ix, {"electricity_mw": 2, "as_of": AS_OF}, fx=_fx()).to_dict()
    assert strict["feasible_count"] == 0
    assert strict["near_misses"][0]["violations"] == [
        {"constraint": "electricity_mw", "required": 2.0, "available": "unknown"}
    ]
    loose = match(ix, {"electricity_mw": 2, "unknown_ok": True, "as_of": AS_OF}, fx=_fx())
    r = loose.to_dict()["results"][0]
    assert "Free power capacity is unknown (2 MW needed)." in r["reasons"]
