"""An in-memory columnar index of every site, joined with its park's attributes.

Each site attribute is one numpy array (struct of arrays): float64 with NaN for an unknown
number, small integer codes for categories (−1 or 0 for unknown, see below), int32 codes into
vocabularies for currencies, sources and parks, and the site ids in an object array. The
columns a filter reads are contiguous, so a vectorised pass over a million sites reads only
the bytes it needs (the layout of column stores such as DuckDB or Arrow).

Rows come from plain dicts or tuples (``SITE_COLUMNS`` order, as the lead's
``values_list(*SITE_COLUMNS)`` gives them), or from whole columns (:meth:`from_columns`).

Edits: :meth:`SiteIndex.upsert` overwrites a known site in place (its position is found in the
``site_id → position`` map) and appends new ones (arrays grow by doubling);
:meth:`SiteIndex.remove` marks positions dead (a tombstone in ``alive``) and drops them from
the map; once tombstones exceed a quarter of the rows, :meth:`SiteIndex.compact` rewrites the
arrays without them. Park edits (:meth:`SiteIndex.upsert_parks`) re-join the park columns of
every site with one gather.

Codes: ``kind`` 0 plot, 1 premises, −1 unknown; ``status`` 0 available, 1 reserved,
2 occupied, −1 unknown; ``tenure`` bit mask 1 sale, 2 lease (3 both, 0 unknown);
``rail_siding`` 1 yes, 0 no, −1 unknown; ``hazard_class`` 1..5, 0 unknown; ``as_of`` days
since 1970-01-01, ``NO_DATE`` when unknown.

Pure Python + numpy: must not import Django.

>>> ix = SiteIndex.from_rows(
...     [{"site_id": "S1", "park_id": "P1", "kind": "plot", "area_ha": 2.5, "status": "available",
...       "tenure": "lease", "electricity_mw": 3}],
...     parks=[{"park_id": "P1", "country": "UZ", "region": "Tashkent region", "kind": "sez"}])
>>> len(ix), ix.col("area_m2").tolist(), ix.col("country").tolist(), ix.countries
(1, [25000.0], [0], ['UZ'])
>>> ix.upsert([{"site_id": "S1", "park_id": "P1", "kind": "plot", "area_ha": 3.0}])
>>> ix.remove(["S1"]), len(ix)
(1, 0)
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

__all__ = [
    "FLOAT_SITE_COLUMNS",
    "NO_DATE",
    "PARK_COLUMNS",
    "SITE_COLUMNS",
    "ParkTable",
    "SiteIndex",
    "parse_isic",
]

#: Column order of a site tuple (the exchange schema).
SITE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "park_id",
    "kind",
    "area_ha",
    "area_m2",
    "status",
    "tenure",
    "sale_price",
    "lease_per_year",
    "currency",
    "electricity_mw",
    "gas_m3h",
    "water_m3d",
    "wastewater_m3d",
    "rail_siding",
    "hazard_class",
    "dist_airport_km",
    "dist_rail_km",
    "dist_port_km",
    "dist_highway_km",
    "dist_border_km",
    "source",
    "as_of",
)
#: float64 columns held per site (``area_m2`` is the site's area in m², from area_m2 or area_ha).
FLOAT_SITE_COLUMNS: tuple[str, ...] = (
    "area_m2",
    "sale_price",
    "lease_per_year",
    "electricity_mw",
    "gas_m3h",
    "water_m3d",
    "wastewater_m3d",
    "dist_airport_km",
    "dist_rail_km",
    "dist_port_km",
    "dist_highway_km",
    "dist_border_km",
)
_INT_SITE_COLUMNS: dict[str, Any] = {
    "park": np.int32,
    "kind": np.int8,
    "status": np.int8,
    "tenure": np.int8,
    "rail_siding": np.int8,
    "hazard_class": np.int8,
    "currency": np.int16,
    "source": np.int32,
    "as_of": np.int32,
    # joined from the park (re-gathered when parks change)
    "country": np.int16,
    "region": np.int32,
    "park_kind": np.int8,
}
#: Keys of a park row (flat form). Also accepted: nested ``tariffs`` / ``connection_fees``
#: mappings, and ``utilities`` as rows of the registry's park utilities
#: (``{utility, tariff, connection_fee, currency}``; tariff per kWh, per 1000 m³, per m³ or per
#: Gcal, fee per kW, per m³/h or per m³/day). ``conn_currency`` is the default currency of
#: every connection fee.
PARK_COLUMNS: tuple[str, ...] = (
    "park_id",
    "name",
    "kind",
    "country",
    "region",
    "lat",
    "lon",
    "industries",
    "regime_ids",
    "tariff_electricity_kwh",
    "tariff_electricity_currency",
    "tariff_gas_1000m3",
    "tariff_gas_currency",
    "tariff_water_m3",
    "tariff_water_currency",
    "tariff_wastewater_m3",
    "tariff_wastewater_currency",
    "tariff_heat_gcal",
    "tariff_heat_currency",
    "conn_electricity_per_kw",
    "conn_gas_per_m3h",
    "conn_water_per_m3d",
    "conn_wastewater_per_m3d",
    "conn_currency",
    "conn_electricity_currency",
    "conn_gas_currency",
    "conn_water_currency",
    "conn_wastewater_currency",
    "utilities",
    "as_of",
)
#: Tariff and connection-fee fields of a park: (value field, currency field).
PARK_PRICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("tariff_electricity_kwh", "tariff_electricity_currency"),
    ("tariff_gas_1000m3", "tariff_gas_currency"),
    ("tariff_water_m3", "tariff_water_currency"),
    ("tariff_wastewater_m3", "tariff_wastewater_currency"),
    ("tariff_heat_gcal", "tariff_heat_currency"),
    ("conn_electricity_per_kw", "conn_electricity_currency"),
    ("conn_gas_per_m3h", "conn_gas_currency"),
    ("conn_water_per_m3d", "conn_water_currency"),
    ("conn_wastewater_per_m3d", "conn_wastewater_currency"),
)
KINDS = {"plot": 0, "premises": 1}
STATUSES = {"available": 0, "reserved": 1, "occupied": 2}
TENURES = {"sale": 1, "lease": 2, "both": 3}
PARK_KIND_CODES = {
    k: i
    for i, k in enumerate(
        (
            "technopark",
            "industrial_park",
            "sez",
            "fez",
            "small_industrial_zone",
            "technopolis",
            "cluster",
        )
    )
}
NO_DATE = np.iinfo(np.int32).min
_EPOCH = dt.date(1970, 1, 1)
_ISIC_SECTIONS = (
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
)


def parse_isic(code: str) -> tuple[int, int, int, int]:
    """An ISIC Rev.4 code as (section, division, group, class) integers, −1 where the code is
    less precise. Section letters A..U are 1..21. Accepts ``"C2710"``, ``"2710"``, ``"27"``,
    ``"C"``; returns all −1 for anything else.

    >>> parse_isic("2710"), parse_isic("C27"), parse_isic("C"), parse_isic("x")
    ((3, 27, 271, 2710), (3, 27, -1, -1), (3, -1, -1, -1), (-1, -1, -1, -1))
    """
    s = str(code).strip().upper().replace(".", "")
    letter = s[:1] if s[:1].isalpha() else ""
    digits = s[1:] if letter else s
    if not digits.isdigit() and digits != "":
        return (-1, -1, -1, -1)
    if letter and (len(letter) != 1 or not "A" <= letter <= "U"):
        return (-1, -1, -1, -1)
    div = grp = cls = -1
    if len(digits) >= 2:
        div = int(digits[:2])
    if len(digits) >= 3:
        grp = int(digits[:3])
    if len(digits) >= 4:
        cls = int(digits[:4])
    if len(digits) == 1 or len(digits) > 4:
        return (-1, -1, -1, -1)
    sec = -1
    if div >= 0:
        for i, (_, lo, hi) in enumerate(_ISIC_SECTIONS):
            if lo <= div <= hi:
                sec = i + 1
                break
        if sec < 0:
            return (-1, -1, -1, -1)
        if letter and ord(letter) - ord("A") + 1 != sec:
            return (-1, -1, -1, -1)
    elif letter:
        sec = ord(letter) - ord("A") + 1
    else:
        return (-1, -1, -1, -1)
    return (sec, div, grp, cls)


# --------------------------------------------------------------------------- value cleaning


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip().lower() in ("", "unknown", "nan", "none", "null")


def _float(v: Any) -> float:
    if _is_missing(v):
        return math.nan
    if isinstance(v, (int, float, Decimal, np.number)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return math.nan


def _float_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return arr.astype(np.float64)
    return np.fromiter((_float(v) for v in values), dtype=np.float64, count=len(values))


def _days(v: Any) -> int:
    if _is_missing(v):
        return int(NO_DATE)
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return (v - _EPOCH).days
    try:
        return (dt.date.fromisoformat(str(v)[:10]) - _EPOCH).days
    except ValueError:
        return int(NO_DATE)


def _days_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        d = arr.astype("datetime64[D]")
        out = d.astype(np.int64)
        out[np.isnat(d)] = NO_DATE
        return out.astype(np.int32)
    return np.fromiter((_days(v) for v in values), dtype=np.int32, count=len(values))


def _rail(v: Any) -> int:
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if _is_missing(v):
        return -1
    s = str(v).strip().lower()
    return (
        1
        if s in ("1", "true", "yes", "t", "y")
        else 0
        if s in ("0", "false", "no", "f", "n")
        else -1
    )


def _hazard(v: Any) -> int:
    f = _float(v)
    return int(f) if math.isfinite(f) and 1 <= f <= 5 and f == int(f) else 0


def _coded(values: Sequence[Any] | np.ndarray, codes: Mapping[str, int], dtype: Any) -> np.ndarray:
    """Map category labels to integer codes (−1 for unknown / not in ``codes``)."""
    arr = np.asarray(values, dtype=object)
    uniq, inv = np.unique(arr.astype(str), return_inverse=True)
    lut = np.array([codes.get(u.strip().lower(), -1) for u in uniq], dtype=np.int64)
    if dtype is np.int8 and codes is TENURES:
        lut = np.where(lut < 0, 0, lut)
    return lut[inv.reshape(-1)].astype(dtype) if len(arr) else np.empty(0, dtype)


class _Vocab:
    """Strings ↔ dense int codes (currencies, sources, parks, countries, regions)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.codes: dict[str, int] = {}

    def code(self, s: Any) -> int:
        if _is_missing(s):
            return -1
        key = str(s)
        c = self.codes.get(key)
        if c is None:
            c = self.codes[key] = len(self.items)
            self.items.append(key)
        return c

    def encode(self, values: Sequence[Any] | np.ndarray, dtype: Any) -> np.ndarray:
        arr = np.asarray(values, dtype=object)
        if not len(arr):
            return np.empty(0, dtype)
        uniq, inv = np.unique(arr.astype(str), return_inverse=True)
        lut = np.array(
            [-1 if _is_missing(u) else self.code(u) for u in uniq.tolist()], dtype=np.int64
        )
        # np.unique turned None into 'None'; keep real None as missing
        out = lut[inv.reshape(-1)]
        return out.astype(dtype)

    def get(self, s: str) -> int:
        return self.codes.get(s, -1)

    def nbytes(self) -> int:
        return (
            sys.getsizeof(self.items)
            + sys.getsizeof(self.codes)
            + sum(sys.getsizeof(s) for s in self.items)
        )


# --------------------------------------------------------------------------- parks


class ParkTable:
    """Park attributes, one row per park code (the codes ``SiteIndex.col("park")`` holds).

    Arrays: ``country`` (int16 code into ``countries``), ``region`` (int32 code into
    ``regions``, keyed ``"CC|region"``), ``kind`` (int8, ``PARK_KIND_CODES``), ``as_of`` (days),
    each price in ``PARK_PRICE_FIELDS`` as float64 with its currency code (int16 into the
    index's currency vocabulary); the ISIC specialisations as CSR arrays (``isic_offsets`` and
    ``isic`` with columns section/division/group/class). ``facts[code]`` keeps the cleaned row
    (name, regime ids, …) for the incentives engine and explanations; ``regime_set`` codes
    each park's sorted regime ids (into ``regime_sets``; −1 = none).
    """

    def __init__(self) -> None:
        self.vocab = _Vocab()
        self.countries = _Vocab()
        self.regions = _Vocab()
        self.regime_sets = _Vocab()
        self.facts: list[dict[str, Any] | None] = []
        self.known = np.zeros(0, dtype=bool)
        self.country = np.zeros(0, dtype=np.int16)
        self.region = np.zeros(0, dtype=np.int32)
        self.kind = np.zeros(0, dtype=np.int8)
        self.regime_set = np.zeros(0, dtype=np.int32)
        self.as_of = np.zeros(0, dtype=np.int32)
        self.prices: dict[str, np.ndarray] = {f: np.zeros(0) for f, _ in PARK_PRICE_FIELDS}
        self.price_currency: dict[str, np.ndarray] = {
            f: np.zeros(0, dtype=np.int16) for f, _ in PARK_PRICE_FIELDS
        }
        self._isic: list[list[tuple[int, int, int, int]]] = []
        self.isic_offsets = np.zeros(1, dtype=np.int64)
        self.isic = np.zeros((0, 4), dtype=np.int32)
        self.version = 0
        #: derived per-park arrays cached by the engine, keyed by (version, size, inputs)
        self.memo: dict[str, tuple[Any, Any]] = {}

    def __len__(self) -> int:
        return len(self.facts)

    def code(self, park_id: Any) -> int:
        """The code of a park id, adding an unknown park row when new."""
        c = self.vocab.code(park_id)
        if c >= len(self.facts):
            self._grow(c + 1)
        return c

    def _grow(self, n: int) -> None:
        extra = n - len(self.facts)
        self.facts.extend([None] * extra)
        self._isic.extend([] for _ in range(extra))
        self.known = np.concatenate([self.known, np.zeros(extra, bool)])
        self.country = np.concatenate([self.country, np.full(extra, -1, np.int16)])
        self.region = np.concatenate([self.region, np.full(extra, -1, np.int32)])
        self.kind = np.concatenate([self.kind, np.full(extra, -1, np.int8)])
        self.regime_set = np.concatenate([self.regime_set, np.full(extra, -1, np.int32)])
        self.as_of = np.concatenate([self.as_of, np.full(extra, NO_DATE, np.int32)])
        for f, _ in PARK_PRICE_FIELDS:
            self.prices[f] = np.concatenate([self.prices[f], np.full(extra, np.nan)])
            self.price_currency[f] = np.concatenate(
                [self.price_currency[f], np.full(extra, -1, np.int16)]
            )

    def upsert(self, rows: Iterable[Mapping[str, Any]], currencies: _Vocab) -> None:
        """Insert or replace parks (flat ``PARK_COLUMNS`` keys, or nested ``tariffs`` /
        ``connection_fees`` mappings)."""
        for raw in rows:
            row = _flatten_park(raw)
            c = self.code(row["park_id"])
            self.facts[c] = row
            self.known[c] = True
            self.country[c] = self.countries.code(row.get("country"))
            country = row.get("country") or ""
            region = row.get("region")
            self.region[c] = -1 if _is_missing(region) else self.regions.code(f"{country}|{region}")
            self.kind[c] = PARK_KIND_CODES.get(str(row.get("kind") or "").lower(), -1)
            self.as_of[c] = _days(row.get("as_of"))
            self.regime_set[c] = self.regime_sets.code("|".join(row["regime_ids"]))
            for f, cur in PARK_PRICE_FIELDS:
                self.prices[f][c] = _float(row.get(f))
                self.price_currency[f][c] = currencies.code(row.get(cur))
            codes = row.get("industries") or []
            if isinstance(codes, str):
                codes = [s for s in codes.replace(";", ",").split(",") if s.strip()]
            self._isic[c] = [t for t in (parse_isic(s) for s in codes) if t[0] >= 0]
        self._rebuild_isic()
        self.version += 1

    def _rebuild_isic(self) -> None:
        lens = np.array([len(x) for x in self._isic], dtype=np.int64)
        self.isic_offsets = np.concatenate([[0], np.cumsum(lens)])
        flat = [t for x in self._isic for t in x]
        self.isic = np.array(flat, dtype=np.int32).reshape(-1, 4)

    def has_industries(self) -> np.ndarray:
        """True for parks that list at least one ISIC specialisation."""
        return np.diff(self.isic_offsets) > 0

    def nbytes(self) -> int:
        arrays = [
            self.known,
            self.country,
            self.region,
            self.kind,
            self.as_of,
            self.regime_set,
            self.isic,
            self.isic_offsets,
            *self.prices.values(),
            *self.price_currency.values(),
        ]
        facts = sum(sys.getsizeof(f) for f in self.facts if f is not None)
        return (
            sum(a.nbytes for a in arrays)
            + facts
            + self.vocab.nbytes()
            + self.countries.nbytes()
            + self.regions.nbytes()
        )


def _flatten_park(raw: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(raw)
    if "park_id" not in row or _is_missing(row["park_id"]):
        raise ValueError(f"park row without park_id: {raw!r}")
    row["park_id"] = str(row["park_id"])
    tariffs = row.pop("tariffs", None) or {}
    names = {
        "electricity": "kwh",
        "gas": "1000m3",
        "water": "m3",
        "wastewater": "m3",
        "heat": "gcal",
    }
    for utility, unit in names.items():
        t = tariffs.get(utility)
        if isinstance(t, Mapping):
            row.setdefault(f"tariff_{utility}_{unit}", t.get("price"))
            row.setdefault(f"tariff_{utility}_currency", t.get("currency"))
    fees = row.pop("connection_fees", None) or {}
    for key in ("electricity_per_kw", "gas_per_m3h", "water_per_m3d", "wastewater_per_m3d"):
        if key in fees:
            row.setdefault(f"conn_{key}", fees[key])
    if "currency" in fees:
        row.setdefault("conn_currency", fees["currency"])
    for u in row.pop("utilities", None) or ():
        kind = str(u.get("utility") or "").lower()
        if kind not in names:
            continue
        if not _is_missing(u.get("tariff")):
            row.setdefault(f"tariff_{kind}_{names[kind]}", u.get("tariff"))
            row.setdefault(f"tariff_{kind}_currency", u.get("currency"))
        fee_key = {
            "electricity": "conn_electricity_per_kw",
            "gas": "conn_gas_per_m3h",
            "water": "conn_water_per_m3d",
            "wastewater": "conn_wastewater_per_m3d",
        }.get(kind)
        if fee_key and not _is_missing(u.get("connection_fee")):
            row.setdefault(fee_key, u.get("connection_fee"))
            row.setdefault(f"conn_{kind}_currency", u.get("currency"))
    for kind in ("electricity", "gas", "water", "wastewater"):
        if _is_missing(row.get(f"conn_{kind}_currency")):
            row[f"conn_{kind}_currency"] = row.get("conn_currency")
    regimes = row.get("regime_ids") or ()
    row["regime_ids"] = tuple(sorted(str(r) for r in regimes))
    return row


# --------------------------------------------------------------------------- sites


class RowsView:
    """Columns of an index at some rows, each gathered once: the rows of a query are
    scattered over the index, so every gather fetches a cache line per row from memory, and
    the costs, scores and explanations of the same rows read the same columns."""

    def __init__(self, index: SiteIndex, rows: np.ndarray) -> None:
        self.index, self.rows = index, rows
        self._cols: dict[str, np.ndarray] = {}

    def col(self, name: str) -> np.ndarray:
        """Index column ``name`` at the rows."""
        c = self._cols.get(name)
        if c is None:
            c = self._cols[name] = self.index.col(name)[self.rows]
        return c

    def of(self, name: str, full: np.ndarray) -> np.ndarray:
        """``full``, an array over the whole index derived from its columns (for example
        :meth:`SiteIndex.derived`), at the rows, kept under ``name``."""
        c = self._cols.get(name)
        if c is None:
            c = self._cols[name] = full[self.rows]
        return c


class SiteIndex:
    """Columnar index of sites joined with park attributes (see the module docstring).

    Build with :meth:`from_rows` or :meth:`from_columns`; keep current with :meth:`upsert`,
    :meth:`remove` and :meth:`upsert_parks`. ``col(name)`` gives the live-length view of a
    column (dead rows included; mask with ``alive``). ``nbytes`` reports the memory held.
    """

    #: compact when dead rows exceed this share of the rows
    COMPACT_SHARE = 0.25

    def __init__(self) -> None:
        self.parks = ParkTable()
        self.currency_vocab = _Vocab()
        self.source_vocab = _Vocab()
        self._n = 0
        self._dead = 0
        self._cap = 0
        self._cols: dict[str, np.ndarray] = {}
        self._ids = np.empty(0, dtype=object)
        self._alive = np.zeros(0, dtype=bool)
        self._pos: dict[str, int] = {}
        self.version = 0
        #: columns derived by the engine (``derived``), for the state ``_derived_version``
        self.memo: dict[tuple[str, Any], Any] = {}
        self._derived_version: tuple[int, int] = (-1, -1)
        self._alloc(0)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_rows(
        cls,
        sites: Iterable[Mapping[str, Any] | Sequence[Any]],
        parks: Iterable[Mapping[str, Any]] = (),
    ) -> SiteIndex:
        """Build from site rows (dicts with ``SITE_COLUMNS`` keys, or tuples in that order)
        and park rows (dicts with ``PARK_COLUMNS`` keys)."""
        ix = cls()
        ix.upsert_parks(parks)
        ix.upsert(sites)
        return ix

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[Any] | np.ndarray],
        parks: Iterable[Mapping[str, Any]] = (),
    ) -> SiteIndex:
        """Build from whole columns (``SITE_COLUMNS`` names; missing columns are unknown)."""
        ix = cls()
        ix.upsert_parks(parks)
        ix.upsert_columns(columns)
        return ix

    # ------------------------------------------------------------------ storage
    def _alloc(self, cap: int) -> None:
        old_n = self._n
        new: dict[str, np.ndarray] = {}
        for name in FLOAT_SITE_COLUMNS:
            a = np.full(cap, np.nan)
            if name in self._cols:
                a[:old_n] = self._cols[name][:old_n]
            new[name] = a
        for name, dtype in _INT_SITE_COLUMNS.items():
            a = np.zeros(cap, dtype=dtype)
            if name in self._cols:
                a[:old_n] = self._cols[name][:old_n]
            new[name] = a
        ids = np.empty(cap, dtype=object)
        ids[:old_n] = self._ids[:old_n]
        alive = np.zeros(cap, dtype=bool)
        alive[:old_n] = self._alive[:old_n]
        self._cols, self._ids, self._alive, self._cap = new, ids, alive, cap

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need > self._cap:
            self._alloc(max(need, 2 * self._cap, 1024))

    def col(self, name: str) -> np.ndarray:
        """The column ``name`` over rows 0..n−1 (a view; dead rows included)."""
        return self._cols[name][: self._n]

    @property
    def ids(self) -> np.ndarray:
        """Site ids over rows 0..n−1 (None for rows removed since the last compaction)."""
        return self._ids[: self._n]

    @property
    def alive(self) -> np.ndarray:
        """False for removed rows (tombstones)."""
        return self._alive[: self._n]

    @property
    def n_rows(self) -> int:
        """Rows held, including tombstones."""
        return self._n

    def __len__(self) -> int:
        return self._n - self._dead

    def __contains__(self, site_id: object) -> bool:
        return site_id in self._pos

    def position(self, site_id: str) -> int:
        """Row of a site id (KeyError if absent)."""
        return self._pos[site_id]

    @property
    def countries(self) -> list[str]:
        return self.parks.countries.items

    @property
    def currencies(self) -> list[str]:
        return self.currency_vocab.items

    #: values kept per name by :meth:`derived` (for example prices in 3 budget currencies)
    DERIVED_SLOTS = 3

    def derived(self, name: str, inputs: Any, compute: Callable[[], Any]) -> Any:
        """What ``compute()`` derives from the index's columns (for example every price in
        one currency), kept until the index changes: up to ``DERIVED_SLOTS`` values per
        ``name`` (one per ``inputs``), the least recently used dropped first."""
        if self._derived_version != (self.version, self._n):
            self.memo.clear()  # every value derived from an older state of the index
            self._derived_version = (self.version, self._n)
        key = (name, inputs)
        value = self.memo.pop(key, None)
        if value is None:
            same = [k for k in self.memo if k[0] == name]
            for k in same[: max(0, len(same) - self.DERIVED_SLOTS + 1)]:
                del self.memo[k]  # free the oldest before computing a new one
            value = compute()
        self.memo[key] = value  # most recently used last
        return value

    @property
    def nbytes(self) -> int:
        """Bytes held: the numpy columns at capacity, the id strings, the id→row map, the
        vocabularies, the park table (Python objects measured with ``sys.getsizeof``) and the
        derived columns the engine keeps (:meth:`derived`)."""
        arrays = sum(a.nbytes for a in self._cols.values()) + self._ids.nbytes + self._alive.nbytes
        arrays += sum(
            a.nbytes
            for value in self.memo.values()
            for a in (value if isinstance(value, tuple) else (value,))
            if isinstance(a, np.ndarray)
        )
        id_strings = sum(sys.getsizeof(s) for s in self._ids[: self._n] if s is not None)
        return (
            arrays
            + id_strings
            + sys.getsizeof(self._pos)
            + self.currency_vocab.nbytes()
            + self.source_vocab.nbytes()
            + self.parks.nbytes()
        )

    # ------------------------------------------------------------------ edits
    def upsert_parks(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert or replace parks, then re-join country/region/kind onto every site."""
        self.parks.upsert(rows, self.currency_vocab)
        self._join(slice(0, self._n))
        self.version += 1

    def _join(self, rows: slice | np.ndarray) -> None:
        park = self._cols["park"][rows]
        ok = park >= 0
        safe = np.where(ok, park, 0)
        p = self.parks
        if len(p):
            self._cols["country"][rows] = np.where(ok, p.country[safe], -1)
            self._cols["region"][rows] = np.where(ok, p.region[safe], -1)
            self._cols["park_kind"][rows] = np.where(ok, p.kind[safe], -1)
        else:
            self._cols["country"][rows] = -1
            self._cols["region"][rows] = -1
            self._cols["park_kind"][rows] = -1

    def upsert(self, rows: Iterable[Mapping[str, Any] | Sequence[Any]]) -> None:
        """Insert new sites and overwrite known ones (matched on ``site_id``).

        Rows are dicts with ``SITE_COLUMNS`` keys or tuples in ``SITE_COLUMNS`` order; a key
        that is absent is unknown. When a batch repeats an id, the last row wins.
        """
        cols: dict[str, list[Any]] = {c: [] for c in SITE_COLUMNS}
        for row in rows:
            if isinstance(row, Mapping):
                for c in SITE_COLUMNS:
                    cols[c].append(row.get(c))
            else:
                if len(row) != len(SITE_COLUMNS):
                    raise ValueError(
                        f"a site tuple needs {len(SITE_COLUMNS)} values in SITE_COLUMNS order, "
                        f"got {len(row)}"
                    )
                for c, v in zip(SITE_COLUMNS, row, strict=True):
                    cols[c].append(v)
        if cols["site_id"]:
            self.upsert_columns(cols)

    def upsert_columns(self, columns: Mapping[str, Sequence[Any] | np.ndarray]) -> None:
        """Vectorised :meth:`upsert` from whole columns."""
        ids_in = [str(s) for s in columns["site_id"]]
        m = len(ids_in)
        if m == 0:
            return
        if any(_is_missing(s) for s in ids_in):
            raise ValueError("every site needs a site_id")
        # last occurrence of each id wins
        last: dict[str, int] = {}
        for i, s in enumerate(ids_in):
            last[s] = i
        take = np.fromiter(last.values(), dtype=np.int64, count=len(last))
        if len(take) != m:
            columns = {k: np.asarray(v, dtype=object)[take] for k, v in columns.items()}
            ids_in = list(last)
            m = len(ids_in)
        rows = np.empty(m, dtype=np.int64)
        new_ids: list[str] = []
        for i, s in enumerate(ids_in):
            p = self._pos.get(s)
            if p is None:
                new_ids.append(s)
                rows[i] = -1
            else:
                rows[i] = p
        self._reserve(len(new_ids))
        fresh = rows < 0
        rows[fresh] = np.arange(self._n, self._n + len(new_ids))
        for s, r in zip(new_ids, rows[fresh].tolist(), strict=True):
            self._pos[s] = r
        self._n += len(new_ids)

        def get(name: str) -> Sequence[Any] | np.ndarray:
            v = columns.get(name)
            return [None] * m if v is None else v

        c = self._cols
        self._ids[rows] = np.array(ids_in, dtype=object)
        self._alive[rows] = True
        c["park"][rows] = self.parks_encode(get("park_id"))
        kind = _coded(get("kind"), KINDS, np.int8)
        c["kind"][rows] = kind
        c["status"][rows] = _coded(get("status"), STATUSES, np.int8)
        c["tenure"][rows] = _coded(get("tenure"), TENURES, np.int8)
        c["rail_siding"][rows] = np.fromiter((_rail(v) for v in get("rail_siding")), np.int8, m)
        c["hazard_class"][rows] = np.fromiter((_hazard(v) for v in get("hazard_class")), np.int8, m)
        c["currency"][rows] = self.currency_vocab.encode(get("currency"), np.int16)
        c["source"][rows] = self.source_vocab.encode(get("source"), np.int32)
        c["as_of"][rows] = _days_array(get("as_of"))
        ha = _float_array(get("area_ha")) * 10_000.0
        m2 = _float_array(get("area_m2"))
        # a plot is measured by its land (ha); premises by floor area (m²); else whichever is known
        c["area_m2"][rows] = np.where(
            kind == 1, np.where(np.isnan(m2), ha, m2), np.where(np.isnan(ha), m2, ha)
        )
        for name in FLOAT_SITE_COLUMNS[1:]:
            c[name][rows] = _float_array(get(name))
        self._join(rows)
        self.version += 1

    def parks_encode(self, park_ids: Sequence[Any] | np.ndarray) -> np.ndarray:
        arr = np.asarray(park_ids, dtype=object)
        uniq, inv = np.unique(arr.astype(str), return_inverse=True)
        lut = np.array([self.parks.code(u) for u in uniq.tolist()], dtype=np.int32)
        return lut[inv.reshape(-1)]

    def remove(self, site_ids: Iterable[str]) -> int:
        """Remove sites (tombstones); returns how many were present. Compacts when dead rows
        exceed ``COMPACT_SHARE`` of the rows."""
        removed = 0
        for s in site_ids:
            p = self._pos.pop(str(s), None)
            if p is None:
                continue
            self._alive[p] = False
            self._ids[p] = None
            removed += 1
        self._dead += removed
        if removed:
            self.version += 1
        if self._dead > self.COMPACT_SHARE * max(self._n, 1):
            self.compact()
        return removed

    def compact(self) -> None:
        """Rewrite the arrays without tombstones (positions change; ids map is rebuilt)."""
        keep = np.flatnonzero(self._alive[: self._n])
        for name, a in self._cols.items():
            self._cols[name] = a[keep].copy()
        self._ids = self._ids[keep].copy()
        self._alive = np.ones(len(keep), dtype=bool)
        self._n = self._cap = len(keep)
        self._dead = 0
        self._pos = {s: i for i, s in enumerate(self._ids.tolist())}
        self.version += 1

    # ------------------------------------------------------------------ read back
    def site(self, pos: int) -> dict[str, Any]:
        """One site as a dict (codes decoded; ``area_m2`` is the area used for matching)."""
        c = self._cols
        inv = {v: k for k, v in KINDS.items()}
        st = {v: k for k, v in STATUSES.items()}
        te = {v: k for k, v in TENURES.items()}
        park = int(c["park"][pos])
        cur = int(c["currency"][pos])
        src = int(c["source"][pos])
        day = int(c["as_of"][pos])
        out: dict[str, Any] = {
            "site_id": self._ids[pos],
            "park_id": self.parks.vocab.items[park] if park >= 0 else None,
            "kind": inv.get(int(c["kind"][pos])),
            "status": st.get(int(c["status"][pos])),
            "tenure": te.get(int(c["tenure"][pos])),
            "currency": self.currency_vocab.items[cur] if cur >= 0 else None,
            "rail_siding": {1: True, 0: False}.get(int(c["rail_siding"][pos])),
            "hazard_class": int(c["hazard_class"][pos]) or None,
            "source": self.source_vocab.items[src] if src >= 0 else None,
            "as_of": None if day == NO_DATE else _EPOCH + dt.timedelta(days=day),
        }
        for name in FLOAT_SITE_COLUMNS:
            v = float(c[name][pos])
            out[name] = None if math.isnan(v) else v
        return out
