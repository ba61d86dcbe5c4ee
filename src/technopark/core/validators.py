"""Validators shared by models, imports and the API."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ISIC Rev.4: a section letter (A–U), or a division (2 digits), group (3) or class (4).
ISIC_RE = re.compile(r"^(?:[A-U]|\d{2}|\d{3}|\d{4})$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def validate_isic_code(code: str) -> None:
    if not isinstance(code, str) or not ISIC_RE.match(code):
        raise ValidationError(
            _("%(code)r is not an ISIC Rev.4 code (a section letter A–U or 2–4 digits)."),
            params={"code": code},
        )


def validate_isic_list(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Industries must be a list of ISIC Rev.4 codes."))
    for code in value:
        validate_isic_code(code)


def validate_currency(value: str) -> None:
    if not CURRENCY_RE.match(value or ""):
        raise ValidationError(
            _("%(value)r is not an ISO 4217 currency code (three capital letters)."),
            params={"value": value},
        )


def validate_string_list(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(_("Expected a list of non-empty strings."))


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("A polygon ring needs at least four positions."))
    for pos in ring:
        if (
            not isinstance(pos, list | tuple)
            or len(pos) < 2
            or not all(isinstance(c, int | float) for c in pos[:2])
        ):
            raise ValidationError(_("A position must be [longitude, latitude]."))
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Position %(pos)s is outside longitude −180..180 / latitude −90..90."),
                params={"pos": pos},
            )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(_("A polygon ring must end where it starts."))


def validate_boundary(value: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon geometry (RFC 7946)."""
    if value in (None, ""):
        return
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    coords = value.get("coordinates")
    polygons = [coords] if value["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The boundary has no coordinates."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("A polygon needs at least one ring."))
        for ring in polygon:
            _check_ring(ring)
