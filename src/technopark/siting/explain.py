"""Explanations in words for site-finder results and near misses.

Every result gets sentences that say why it fits and what it costs ("2.5 MW of power free
against 2 MW needed", "12 km to rail (limit 20 km)", "property tax 0% for 5 years under
<regime>"), and every near-miss violation a ``{constraint, required, available}`` record with
"unknown" where the site's value is not known. Strings are English, full sentences, ready for
translation at the edge.

Pure Python + numpy: must not import Django.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .index import _EPOCH, KINDS, NO_DATE, STATUSES, TENURES, SiteIndex, parse_isic
from .requirements import Requirements

if TYPE_CHECKING:
    from .cost import CostContext, ParkCosts

__all__ = ["Explainer", "fmt_money"]

_UTIL_WORDS = {
    "electricity_mw": ("power", "MW"),
    "gas_m3h": ("gas", "m³/h"),
    "water_m3d": ("water", "m³/day"),
    "wastewater_m3d": ("wastewater", "m³/day"),
}
_LEVEL_WORDS = {4: "class", 3: "group", 2: "division", 1: "section"}
_DISTANCES = tuple((k, f"dist_{k}_km") for k in ("rail", "highway", "airport", "port", "border"))


def fmt_num(x: float) -> str:
    """A number without needless decimals: 2 → "2", 2.5 → "2.5", 12345.6 → "12,346"."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def fmt_money(x: float, currency: str) -> str:
    """Money in words: 9,300,000 UZS → "9.3 m UZS"; 950 USD → "950 USD".

    >>> fmt_money(9_300_000, "UZS"), fmt_money(2.45e9, "RUB"), fmt_money(950, "USD")
    ('9.3 m UZS', '2.45 bn RUB', '950 USD')
    """
    a = abs(x)
    if a >= 1e9:
        return f"{fmt_num(x / 1e9)} bn {currency}"
    if a >= 1e6:
        return f"{fmt_num(x / 1e6)} m {currency}"
    return f"{fmt_num(x)} {currency}"


class Explainer:
    """Builds reasons and violation records for sites of one query."""

    def __init__(
        self, index: SiteIndex, req: Requirements, ctx: CostContext, pc: ParkCosts
    ) -> None:
        self.index = index
        self.req = req
        self.ctx = ctx
        self.pc = pc
        self._want = parse_isic(req.industry) if req.industry else None
        self._pre: dict[str, dict[int, Any]] = {}
        # what every result's sentences share, worked out once
        self._needs = [
            (key, word, unit, fmt_num(need))
            for key, (word, unit) in _UTIL_WORDS.items()
            if (need := req.need(key))
        ]
        limits = {k: f" (limit {fmt_num(mx)} km)" for k, mx in req.max_distance_km.items()}
        self._limits = limits  # for an unknown distance
        self._limits_known = {k: text for k, text in limits.items() if req.max_distance_km[k]}
        self._today = (req.valuation_date - _EPOCH).days
        self._tax_names: list[str] | None = None

    def prefetch(self, rows: np.ndarray) -> None:
        """Read the columns the explanations use for ``rows`` at once, as Python numbers
        (one gather per column instead of one numpy scalar per value)."""
        cols = ("park", "kind", "area_m2", "as_of", *_UTIL_WORDS, *(c for _, c in _DISTANCES))
        keys = rows.tolist()
        self._pre = {
            c: dict(zip(keys, self.index.col(c)[rows].tolist(), strict=True)) for c in cols
        }

    def _get(self, col: str, pos: int) -> Any:
        pre = self._pre.get(col)
        if pre is not None:
            hit = pre.get(pos)
            if hit is not None:
                return hit
        return self.index.col(col)[pos].item()

    def _v(self, col: str, pos: int) -> float:
        return float(self._get(col, pos))

    # ------------------------------------------------------------------ near misses
    def violation(self, pos: int, name: str) -> dict[str, Any]:
        """``{constraint, required, available}`` for constraint ``name`` at row ``pos``."""
        ix, req = self.index, self.req
        unknown = "unknown"
        if name == "status":
            code = int(ix.col("status")[pos])
            lab = {v: k for k, v in STATUSES.items()}.get(code, unknown)
            return {"constraint": name, "required": "available", "available": lab}
        if name == "site_kind":
            code = int(ix.col("kind")[pos])
            lab = {v: k for k, v in KINDS.items()}.get(code, unknown)
            return {"constraint": name, "required": req.site_kind, "available": lab}
        if name == "area":
            unit = req.area_unit
            div = 10_000.0 if unit == "ha" else 1.0
            area = self._v("area_m2", pos)
            need: dict[str, Any] = {"unit": unit}
            if req.area_m2_min is not None:
                need["min"] = req.area_m2_min / div
            if req.area_m2_max is not None:
                need["max"] = req.area_m2_max / div
            return {
                "constraint": name,
                "required": need,
                "available": unknown if math.isnan(area) else area / div,
            }
        if name in _UTIL_WORDS:
            v = self._v(name, pos)
            return {
                "constraint": name,
                "required": getattr(req, name),
                "available": unknown if math.isnan(v) else v,
            }
        if name == "rail_siding":
            code = int(ix.col("rail_siding")[pos])
            return {
                "constraint": name,
                "required": True,
                "available": {1: True, 0: False}.get(code, unknown),
            }
        if name == "hazard_class":
            code = int(ix.col("hazard_class")[pos])
            return {
                "constraint": name,
                "required": req.hazard_class,
                "available": code if code else unknown,
            }
        if name == "tenure":
            code = int(ix.col("tenure")[pos])
            lab = {v: k for k, v in TENURES.items()}.get(code, unknown)
            return {"constraint": name, "required": req.tenure, "available": lab}
        if name.startswith("distance."):
            kind = name.split(".", 1)[1]
            v = self._v(f"dist_{kind}_km", pos)
            return {
                "constraint": name,
                "required": req.max_distance_km[kind],
                "available": unknown if math.isnan(v) else v,
            }
        if name == "budget":
            from .cost import land_options

            b = req.budget
            assert b is not None
            _, _, sale, lease = land_options(ix, np.array([pos]), self.ctx)
            tenure = int(ix.col("tenure")[pos])
            need = {"currency": b.currency}
            have: dict[str, Any] = {"currency": b.currency}
            if b.max_sale_price is not None:
                need["max_sale_price"] = b.max_sale_price
            if b.max_lease_per_year is not None:
                need["max_lease_per_year"] = b.max_lease_per_year
            if tenure & 1:
                have["sale_price"] = unknown if math.isnan(sale[0]) else round(float(sale[0]), 2)
            if tenure & 2:
                have["lease_per_year"] = (
                    unknown if math.isnan(lease[0]) else round(float(lease[0]), 2)
                )
            return {"constraint": name, "required": need, "available": have}
        return {"constraint": name, "required": None, "available": None}

    # ------------------------------------------------------------------ results
    def reasons(
        self,
        pos: int,
        comp: dict[str, float],
        unknown: list[str],
        scores: dict[str, float | None],
        tenure: int,
    ) -> list[str]:
        """Sentences explaining a feasible site: fit, distances, cost, taxes, data age."""
        ix, req, ctx = self.index, self.req, self.ctx
        cur = ctx.currency
        out: list[str] = []
        park = int(self._get("park", pos))
        facts = ix.parks.facts[park] if park >= 0 else None
        name = (facts or {}).get("name") or (ix.parks.vocab.items[park] if park >= 0 else "?")
        region = (facts or {}).get("region")
        where = f"{name}" + (f", {region}" if region else "")
        kind = {0: "plot", 1: "premises"}.get(int(self._get("kind", pos)), "site")
        area = self._v("area_m2", pos)
        if not math.isnan(area):
            size = f"{fmt_num(area / 10_000)} ha" if kind != "premises" else f"{fmt_num(area)} m²"
            out.append(f"{size} {kind} in {where}.")
        else:
            out.append(f"A {kind} of unknown area in {where}.")
        for key, word, unit, need in self._needs:
            have = self._v(key, pos)
            if math.isnan(have):
                out.append(f"Free {word} capacity is unknown ({need} {unit} needed).")
            else:
                out.append(f"{fmt_num(have)} {unit} of {word} free against {need} {unit} needed.")
        if req.rail_siding:
            out.append("Has a rail siding.")
        dists = []
        limits, known = self._limits, self._limits_known
        for k, column in _DISTANCES:
            d = self._v(column, pos)
            if math.isnan(d):
                if k in limits:
                    dists.append(f"distance to {k} unknown{limits[k]}")
                continue
            dists.append(f"{fmt_num(d)} km to {k}{known.get(k, '')}")
        if dists:
            out.append("; ".join(dists).capitalize() + ".")
        if tenure and not math.isnan(comp.get("land", math.nan)):
            land = comp["land"]
            if tenure == 1:
                out.append(f"Land bought for {fmt_money(land, cur)}.")
            else:
                out.append(
                    f"Land leased: {fmt_money(land, cur)} present value over {ctx.horizon} years."
                )
        for u in ("electricity", "gas", "water", "wastewater"):
            v = comp.get(f"connection.{u}", 0.0)
            if v and not math.isnan(v):
                out.append(f"Connecting the missing {u} capacity costs {fmt_money(v, cur)}.")
        labour = comp.get("labour", math.nan)
        note = self.pc.wage_note(ix.parks, park)
        if not math.isnan(labour) and note:
            out.append(
                f"Labour {fmt_money(labour, cur)} present value, at the wage of {note}, "
                "with employer social charges."
            )
        if self._tax_names is None:
            self._tax_names = [k for k in comp if k.startswith("tax.")]
        taxes = [v for k in self._tax_names if (v := comp.get(k, math.nan)) == v]  # not NaN
        if taxes:
            out.append(f"Taxes after benefits {fmt_money(sum(taxes), cur)} present value.")
        if park >= 0 and len(self.pc.tax_key) and self.pc.tax_key[park] >= 0:
            o = self.pc.tax_outcomes[int(self.pc.tax_key[park])]
            out.extend(o.reasons)
            b = self.pc.benefits[park]
            if not math.isnan(b) and b > 0:
                out.append(f"The park's tax benefits are worth {fmt_money(float(b), cur)}.")
        fit = self._cluster_words(park)
        if fit:
            out.append(fit)
        day = int(self._get("as_of", pos))
        if day == NO_DATE and park >= 0:
            day = int(ix.parks.as_of[park])
        if day != NO_DATE:
            age = self._today - day
            date = _EPOCH + dt.timedelta(days=day)
            stale = " — stale" if age > 365 else ""
            out.append(f"Site data as of {date.isoformat()} ({age} days old{stale}).")
        else:
            out.append("The date of the site data is unknown.")
        if unknown:
            out.append(
                "Unknown and left out of the total (no data), so the total understates the "
                "cost: " + ", ".join(unknown) + "."
            )
        return out

    def _cluster_words(self, park: int) -> str | None:
        code = self.req.industry
        want = self._want
        if not code or want is None or park < 0:
            return None
        p = self.index.parks
        lo, hi = int(p.isic_offsets[park]), int(p.isic_offsets[park + 1])
        if hi == lo:
            return "The park lists no industry specialisation."
        best = 0
        for row in p.isic[lo:hi].tolist():
            for lvl in (4, 3, 2, 1):
                i = lvl - 1
                if want[i] >= 0 and row[i] == want[i]:
                    best = max(best, lvl)
                    break
        if best == 0:
            return f"The park's specialisations do not include ISIC {code}."
        return f"The park specialises in the project's ISIC {_LEVEL_WORDS[best]} ({code})."
