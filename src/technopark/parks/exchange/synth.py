"""A realistic synthetic data set in the exchange schema, for demos, tests and benchmarks.

Every row says it is synthetic in `source`. Distributions are plausible, not statistics of any
real registry: parks in Russia, Uzbekistan, Kazakhstan and Belarus inside their countries'
latitude/longitude boxes; areas, prices and distances lognormal; prices in the national
currency or USD at rough exchange rates; utilities, rail sidings and hazard classes with a share
of unknowns, as real registries have.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from technopark.parks.exchange.schema import Entity, column_names, columns_of
from technopark.parks.exchange.writers import write_csv, write_geojson, write_xlsx

# code: (weight, [(lat_min, lat_max, lon_min, lon_max, weight)], currency, units per USD, regions)
COUNTRIES = {
    "RU": (
        0.45,
        [(44.0, 58.0, 30.0, 50.0, 0.7), (52.0, 57.0, 60.0, 88.0, 0.3)],
        "RUB",
        90.0,
        [
            "Moscow Region",
            "Republic of Tatarstan",
            "Kaluga Region",
            "Lipetsk Region",
            "Sverdlovsk Region",
            "Novosibirsk Region",
            "Samara Region",
            "Tula Region",
        ],
    ),
    "UZ": (
        0.30,
        [(38.5, 42.0, 64.0, 71.5, 1.0)],
        "UZS",
        12700.0,
        [
            "Tashkent Region",
            "Navoiy Region",
            "Jizzakh Region",
            "Samarkand Region",
            "Fergana Region",
            "Andijan Region",
            "Namangan Region",
            "Bukhara Region",
        ],
    ),
    "KZ": (
        0.15,
        [(42.0, 53.5, 51.0, 81.0, 1.0)],
        "KZT",
        480.0,
        [
            "Almaty Region",
            "Karaganda Region",
            "Akmola Region",
            "Turkistan Region",
            "Pavlodar Region",
        ],
    ),
    "BY": (
        0.10,
        [(51.5, 55.8, 23.8, 32.5, 1.0)],
        "BYN",
        3.3,
        [
            "Minsk Region",
            "Brest Region",
            "Gomel Region",
            "Grodno Region",
            "Vitebsk Region",
            "Mogilev Region",
        ],
    ),
}
PARK_KINDS = (
    [
        "industrial_park",
        "technopark",
        "sez",
        "small_industrial_zone",
        "fez",
        "technopolis",
        "cluster",
    ],
    [0.45, 0.2, 0.12, 0.1, 0.06, 0.04, 0.03],
)
ISIC = [
    "10",
    "13",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "31",
    "32",
    "62",
    "72",
]


def _text(values: np.ndarray, unknown: np.ndarray | None = None) -> list[str]:
    """Numbers as exchange text ('12.5', '100.0' and so on), '' where unknown."""
    out = list(map(repr, values.tolist()))
    if unknown is not None:
        for i in np.flatnonzero(unknown).tolist():
            out[i] = ""
    return out


def _as_of(rng: np.random.Generator, n: int) -> list[str]:
    days = rng.integers(0, 3 * 365, n)
    precision = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    base = np.datetime64("2023-01-01") + days.astype("timedelta64[D]")
    iso = np.datetime_as_string(base, unit="D").tolist()
    return [
        d if p == 0 else d[:7] if p == 1 else d[:4]
        for d, p in zip(iso, precision.tolist(), strict=True)
    ]


def _source(seed: int) -> str:
    return f"synthetic (technopark synth, seed {seed})"


def park_rows(
    n: int, seed: int
) -> tuple[list[list[str]], list[tuple[str, str, float, float, str]]]:
    """Rows of n synthetic parks and, for sites, each park's (id, country, lat, lon, currency)."""
    rng = np.random.default_rng(seed)
    codes = list(COUNTRIES)
    country = rng.choice(len(codes), n, p=[COUNTRIES[c][0] for c in codes])
    kinds = rng.choice(PARK_KINDS[0], n, p=PARK_KINDS[1])
    total = np.round(rng.lognormal(np.log(150), 1.0, n), 2)
    free = np.round(total * rng.beta(2, 3, n), 2)
    established = rng.integers(1995, 2026, n)
    residents = rng.poisson(18, n)
    invest_usd = np.round(rng.lognormal(np.log(40e6), 1.2, n), -3)
    jobs = rng.poisson(900, n)
    as_of = _as_of(rng, n)
    names = column_names(Entity.PARKS)
    rows, info = [], []
    for i in range(n):
        code = codes[country[i]]
        _w, boxes, currency, rate, regions = COUNTRIES[code]
        box = boxes[rng.choice(len(boxes), p=[b[4] for b in boxes])]
        lat = round(float(rng.uniform(box[0], box[1])), 5)
        lon = round(float(rng.uniform(box[2], box[3])), 5)
        park_id = f"synth-{code.lower()}-{i + 1:05d}"
        use_usd = rng.random() < 0.4
        industries = ";".join(sorted(rng.choice(ISIC, rng.integers(1, 4), replace=False)))
        utilities = [
            "" if rng.random() < 0.2 else repr(round(float(rng.lognormal(np.log(m), 0.8)), 1))
            for m in (25, 4000, 6000, 5000, 30)
        ]
        record = {
            "park_id": park_id,
            "name": f"Synthetic {kinds[i].replace('_', ' ')} No. {i + 1}",
            "kind": str(kinds[i]),
            "stage": str(
                rng.choice(
                    ["operating", "under_construction", "concept", ""], p=[0.6, 0.2, 0.1, 0.1]
                )
            ),
            "development": str(rng.choice(["greenfield", "brownfield", ""], p=[0.6, 0.3, 0.1])),
            "country": code,
            "region": regions[rng.integers(len(regions))],
            "locality": "",
            "lat": repr(lat),
            "lon": repr(lon),
            "coord_precision": "site",
            "area_total_ha": repr(float(total[i])),
            "area_free_ha": repr(float(free[i])),
            "industries": industries,
            "operator": f"Synthetic Management Company {code} {i % max(1, n // 3) + 1}",
            "established": str(int(established[i])),
            "residents_count": str(int(residents[i])),
            "investment_amount": repr(
                float(invest_usd[i] if use_usd else round(invest_usd[i] * rate, -3))
            ),
            "investment_currency": "USD" if use_usd else currency,
            "jobs": str(int(jobs[i])),
            "electricity_free_mw": utilities[0],
            "gas_free_m3h": utilities[1],
            "water_free_m3d": utilities[2],
            "wastewater_free_m3d": utilities[3],
            "heat_free_gcalh": utilities[4],
            "is_published": "true",
            "source": _source(seed),
            "as_of": as_of[i],
        }
        rows.append([record.get(name, "") for name in names])
        info.append((park_id, code, lat, lon, currency))
    return rows, info


def site_rows(
    n: int, parks: list[tuple[str, str, float, float, str]], seed: int, chunk: int = 100_000
) -> Iterator[list[str]]:
    """n synthetic sites spread over `parks` (bigger parks are not modelled: uniform)."""
    rng = np.random.default_rng(seed + 1)
    names = column_names(Entity.SITES)
    source = _source(seed)
    rates = {c: v[3] for c, v in COUNTRIES.items()}
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        park = rng.integers(0, len(parks), m)
        premises = rng.random(m) < 0.25
        area_ha = np.round(rng.lognormal(np.log(3), 0.9, m), 2)
        area_m2 = np.round(rng.lognormal(np.log(2000), 0.8, m), 0)
        status = rng.choice(["available", "reserved", "occupied"], m, p=[0.6, 0.15, 0.25])
        tenure = rng.choice(["lease", "sale", "both", ""], m, p=[0.45, 0.2, 0.3, 0.05])
        usd_per_ha = rng.lognormal(np.log(120_000), 0.7, m)
        usd_size = np.where(premises, area_m2 / 10_000 * 12, area_ha)
        local = rng.random(m) < 0.7
        sale_unknown = (tenure == "lease") | (rng.random(m) < 0.1)
        lease_unknown = (tenure == "sale") | (rng.random(m) < 0.1)
        utilities = [
            (np.round(rng.lognormal(np.log(mu), 0.8, m), 2), rng.random(m) < q)
            for mu, q in ((1.5, 0.1), (200, 0.3), (100, 0.15), (80, 0.25), (1.0, 0.5))
        ]
        rail = rng.choice(["true", "false", ""], m, p=[0.2, 0.6, 0.2])
        hazard = rng.choice(["1", "2", "3", "4", "5", ""], m, p=[0.02, 0.05, 0.2, 0.3, 0.3, 0.13])
        ceiling = np.round(rng.uniform(4, 16, m), 1)
        floor = np.round(rng.uniform(1, 10, m), 1)
        crane = rng.choice([5.0, 10.0, 20.0, 32.0, 0.0], m, p=[0.2, 0.2, 0.1, 0.05, 0.45])
        distances = [
            (np.round(rng.lognormal(np.log(mu), 0.7, m), 1), rng.random(m) < q)
            for mu, q in ((45, 0.1), (6, 0.1), (1200, 0.3), (3, 0.05), (250, 0.2))
        ]
        jitter = rng.normal(0, 0.02, (m, 2))
        as_of = _as_of(rng, m)
        text = {
            "area_ha": _text(area_ha, premises & (rng.random(m) < 0.8)),
            "area_m2": _text(area_m2, ~premises),
            "electricity_mw": _text(*utilities[0]),
            "gas_m3h": _text(*utilities[1]),
            "water_m3d": _text(*utilities[2]),
            "wastewater_m3d": _text(*utilities[3]),
            "heat_gcalh": _text(*utilities[4]),
            "ceiling_height_m": _text(ceiling, ~premises),
            "floor_load_t_m2": _text(floor, ~premises),
            "crane_capacity_t": _text(crane, ~premises | (crane == 0)),
            "dist_airport_km": _text(*distances[0]),
            "dist_rail_km": _text(*distances[1]),
            "dist_port_km": _text(*distances[2]),
            "dist_highway_km": _text(*distances[3]),
            "dist_border_km": _text(*distances[4]),
        }
        park_list = [parks[p] for p in park.tolist()]
        currencies = [
            p[4] if loc else "USD" for p, loc in zip(park_list, local.tolist(), strict=True)
        ]
        rate = np.array(
            [rates[p[1]] if loc else 1.0 for p, loc in zip(park_list, local.tolist(), strict=True)]
        )
        sale = np.round(usd_per_ha * usd_size * rate, 0)
        lease = np.round(sale * rng.uniform(0.05, 0.12, m), 0)
        sale_text, lease_text = _text(sale, sale_unknown), _text(lease, lease_unknown)
        lat = np.round(np.array([p[2] for p in park_list]) + jitter[:, 0], 5)
        lon = np.round(np.array([p[3] for p in park_list]) + jitter[:, 1], 5)
        lat_text, lon_text = _text(lat), _text(lon)
        kinds = np.where(premises, "premises", "plot").tolist()
        status_l, tenure_l, rail_l, hazard_l = (
            status.tolist(),
            tenure.tolist(),
            rail.tolist(),
            hazard.tolist(),
        )
        for k in range(m):
            has_price = sale_text[k] or lease_text[k]
            record = {
                "site_id": f"synth-site-{start + k + 1:07d}",
                "park_id": park_list[k][0],
                "name": f"Lot {start + k + 1}",
                "kind": kinds[k],
                "status": status_l[k],
                "tenure": tenure_l[k],
                "sale_price": sale_text[k],
                "lease_per_year": lease_text[k],
                "currency": currencies[k] if has_price else "",
                "rail_siding": rail_l[k],
                "hazard_class": hazard_l[k],
                "lat": lat_text[k],
                "lon": lon_text[k],
                "source": source,
                "as_of": as_of[k],
            }
            yield [record[c] if c in record else text[c][k] if c in text else "" for c in names]


def write_synth(
    directory: Path, *, parks: int, sites: int, seed: int, fmt: str = "csv"
) -> dict[str, Path]:
    """Write DIR/parks.<fmt> and DIR/sites.<fmt>; returns the paths."""
    if parks < 1 and sites > 0:
        raise ValueError("Sites need at least one park.")
    directory.mkdir(parents=True, exist_ok=True)
    park_table, info = park_rows(parks, seed)
    paths = {}
    for entity, rows in (
        (Entity.PARKS, iter(park_table)),
        (Entity.SITES, site_rows(sites, info, seed)),
    ):
        path = directory / f"{entity.value}.{fmt}"
        columns = columns_of(entity)
        if fmt == "xlsx":
            write_xlsx(columns, rows, path, entity.value)
        else:
            with open(path, "w", encoding="utf-8", newline="") as out:
                if fmt == "csv":
                    write_csv(columns, rows, out)
                else:
                    write_geojson(entity, columns, rows, out)
        paths[entity.value] = path
    return paths
