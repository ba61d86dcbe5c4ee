"""The registry: organizations, parks, their sites, utilities, register entries and residents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from technopark.core.history import registry_history
from technopark.core.models import SourcedModel, TimeStampedModel
from technopark.core.validators import (
    validate_boundary,
    validate_currency,
    validate_isic_list,
    validate_string_list,
)
from technopark.parks.choices import (
    CONNECTION_FEE_UNIT,
    TARIFF_UNIT,
    UTILITY_CAPACITY_UNIT,
    CoordPrecision,
    Development,
    OrganizationKind,
    ParkKind,
    ParkStage,
    RegisterEntryKind,
    SiteKind,
    SiteStatus,
    Tenure,
    Utility,
)

NON_NEGATIVE = [MinValueValidator(Decimal(0))]
MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 2}
AREA: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}
CAPACITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
DISTANCE: dict[str, Any] = {"max_digits": 9, "decimal_places": 2}


def optional_decimal(label: str | Any, **options: Any) -> models.DecimalField:
    """A non-negative decimal that may be unknown: blank stays blank, it never becomes zero."""
    return models.DecimalField(label, null=True, blank=True, validators=NON_NEGATIVE, **options)


class LocalizedNameMixin:
    """`display_name` picks the name in the active language where the data has it."""

    name: str
    name_ru: str
    name_uz: str

    @property
    def display_name(self) -> str:
        language = (get_language() or "en")[:2]
        localized = {"ru": self.name_ru, "uz": self.name_uz}.get(language, "")
        return localized or self.name


class Organization(LocalizedNameMixin, TimeStampedModel, SourcedModel):
    """A management company, association, government body, company or investor."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_uz = models.CharField(_("name (Uzbek)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    country = models.ForeignKey(
        "geo.Country", verbose_name=_("country"), null=True, blank=True, on_delete=models.PROTECT
    )
    tax_id = models.CharField(
        _("tax id"), max_length=40, blank=True, help_text=_("INN, STIR or equivalent.")
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)

    history = registry_history()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Park(LocalizedNameMixin, TimeStampedModel, SourcedModel):
    """A technopark, industrial park, special or free economic zone, technopolis or cluster."""

    park_id = models.SlugField(
        _("park id"),
        max_length=100,
        unique=True,
        help_text=_("Stable identifier used by imports and the API, e.g. uz-eltech-industrial."),
    )
    name = models.CharField(_("name (English)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_uz = models.CharField(_("name (Uzbek)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ParkKind.choices)
    stage = models.CharField(
        _("stage"),
        max_length=30,
        choices=ParkStage.choices,
        blank=True,
        help_text=_("Blank when no source states it."),
    )
    development = models.CharField(
        _("greenfield or brownfield"), max_length=20, choices=Development.choices, blank=True
    )
    country = models.ForeignKey(
        "geo.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="parks"
    )
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parks",
    )
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    coord_precision = models.CharField(
        _("coordinate precision"),
        max_length=10,
        choices=CoordPrecision.choices,
        blank=True,
        help_text=_("Whether the point is the park itself or only the centre of its town."),
    )
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_("GeoJSON Polygon or MultiPolygon of the park's land."),
    )
    area_total_ha = optional_decimal(_("total area, ha"), **AREA)
    area_free_ha = optional_decimal(_("free area, ha"), **AREA)
    industries = models.JSONField(
        _("industries"),
        default=list,
        blank=True,
        validators=[validate_isic_list],
        help_text=_("Specialisations as ISIC Rev.4 codes."),
    )
    specialization = models.TextField(
        _("specialization"), blank=True, help_text=_("Specialisation in the source's own words.")
    )
    operator = models.ForeignKey(
        Organization,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_parks",
        help_text=_("The management company; its park operators may edit this park."),
    )
    established = models.PositiveSmallIntegerField(
        _("established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Year of the founding act or official opening."),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    regime_ids = models.JSONField(
        _("legal regimes"),
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text=_("Ids of the legal regimes that apply (see the incentives regimes)."),
    )
    residents_count = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    investment_amount = optional_decimal(_("investment"), **MONEY)
    investment_currency = models.CharField(
        _("investment currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    jobs = models.PositiveIntegerField(_("jobs"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Published parks are visible to everyone.")
    )

    history = registry_history()

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["country", "kind"]),
            models.Index(fields=["is_published", "name"]),
            # The public's pages in the API's default order: "SELECT id WHERE is_published
            # ORDER BY park_id" walks this index alone, with no table look-up for the rows an
            # offset skips (SQLite, offset 39,000 of 50,000: 8.3 → 1.2 ms; PostgreSQL, offset
            # 30,050: 5.3 → 3.1-3.3 ms once it holds the id too; SQLite's entries carry the
            # rowid, which is the id). Partial, because SQLite cannot use an index whose first
            # column is tested as a bare boolean.
            models.Index(
                fields=["park_id"],
                include=["id"],
                condition=Q(is_published=True),
                name="parks_park_published_by_id",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_free_ha__isnull=True)
                | Q(area_total_ha__isnull=True)
                | Q(area_free_ha__lte=models.F("area_total_ha")),
                name="parks_park_free_area_within_total",
                violation_error_message=_("The free area cannot exceed the total area."),
            ),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True))
                | (Q(lat__isnull=False) & Q(lon__isnull=False)),
                name="parks_park_lat_lon_together",
                violation_error_message=_(
                    "Latitude and longitude are given together or not at all."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:park-detail", kwargs={"park_id": self.park_id})

    def clean(self) -> None:
        try:
            region = self.region if self.region_id else None
        except ObjectDoesNotExist:
            region = None  # no such region: clean_fields has said so, naming the field
        if region is not None and self.country_id and region.country_id != self.country_id:
            raise ValidationError({"region": _("The region is not in the park's country.")})
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(_("Latitude and longitude are given together or not at all."))
        if self.lat is not None and not self.coord_precision:
            raise ValidationError(
                {"coord_precision": _("Say whether the point is the park itself or its town.")}
            )
        if self.investment_amount is not None and not self.investment_currency:
            raise ValidationError({"investment_currency": _("Give the investment's currency.")})


class ParkUtility(TimeStampedModel, SourcedModel):
    """A utility at a park: capacity, free capacity, tariff and connection fee."""

    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="utilities"
    )
    utility = models.CharField(_("utility"), max_length=20, choices=Utility.choices)
    capacity = optional_decimal(
        _("capacity"),
        **CAPACITY,
        help_text=_("MW, m³/h, m³/day or Gcal/h by utility."),
    )
    free_capacity = optional_decimal(_("free capacity"), **CAPACITY)
    tariff = optional_decimal(
        _("tariff"),
        max_digits=20,
        decimal_places=6,
        help_text=_("Per kWh, per 1000 m³, per m³ or per Gcal by utility, in the currency given."),
    )
    connection_fee = optional_decimal(
        _("connection fee"),
        max_digits=20,
        decimal_places=6,
        help_text=_("Per kW, per m³/h, per m³/day or per Gcal/h by utility."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    tariff_date = models.DateField(_("tariff effective from"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = registry_history()

    class Meta:
        verbose_name = _("park utility")
        verbose_name_plural = _("park utilities")
        ordering = ["park", "utility"]
        constraints = [
            models.UniqueConstraint(fields=["park", "utility"], name="parks_utility_one_per_kind"),
            models.CheckConstraint(
                condition=Q(free_capacity__isnull=True)
                | Q(capacity__isnull=True)
                | Q(free_capacity__lte=models.F("capacity")),
                name="parks_utility_free_within_capacity",
                violation_error_message=_("Free capacity cannot exceed the capacity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park} — {self.get_utility_display()}"

    @property
    def capacity_unit(self) -> str:
        return UTILITY_CAPACITY_UNIT[Utility(self.utility)]

    @property
    def tariff_unit(self) -> str:
        return TARIFF_UNIT[Utility(self.utility)]

    @property
    def connection_fee_unit(self) -> str:
        return CONNECTION_FEE_UNIT[Utility(self.utility)]

    def clean(self) -> None:
        if (self.tariff is not None or self.connection_fee is not None) and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the tariff and fee.")})


class RegisterEntry(TimeStampedModel, SourcedModel):
    """An official register entry or certificate of a park (e.g. GISIP, GOST conformity)."""

    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="register_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RegisterEntryKind.choices)
    register = models.CharField(
        _("register or certificate"),
        max_length=300,
        help_text=_("The register's or certificate's name."),
    )
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    number = models.CharField(_("number"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    url = models.URLField(_("URL"), blank=True)

    history = registry_history()

    class Meta:
        verbose_name = _("register entry or certificate")
        verbose_name_plural = _("register entries and certificates")
        ordering = ["park", "-date"]

    def __str__(self) -> str:
        return f"{self.register} {self.number}".strip()


class Site(TimeStampedModel, SourcedModel):
    """A land plot or premises in a park, offered for sale or lease."""

    site_id = models.SlugField(
        _("site id"),
        max_length=100,
        unique=True,
        help_text=_("Stable identifier used by imports and the API."),
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("park"),
        on_delete=models.CASCADE,
        related_name="sites",
        db_index=False,  # the (park, status) index below serves lookups by park
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SiteKind.choices)
    area_ha = optional_decimal(_("land area, ha"), **AREA)
    area_m2 = optional_decimal(
        _("floor area, m²"),
        max_digits=14,
        decimal_places=2,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SiteStatus.choices, default=SiteStatus.AVAILABLE
    )
    tenure = models.CharField(_("tenure"), max_length=5, choices=Tenure.choices, blank=True)
    sale_price = optional_decimal(
        _("sale price"),
        **MONEY,
        help_text=_("For the whole site."),
    )
    lease_per_year = optional_decimal(
        _("lease per year"),
        **MONEY,
        help_text=_("Yearly lease for the whole site."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    electricity_mw = optional_decimal(_("electricity, MW"), **CAPACITY)
    gas_m3h = optional_decimal(_("gas, m³/h"), **CAPACITY)
    water_m3d = optional_decimal(_("water, m³/day"), **CAPACITY)
    wastewater_m3d = optional_decimal(_("wastewater, m³/day"), **CAPACITY)
    heat_gcalh = optional_decimal(_("heat, Gcal/h"), **CAPACITY)
    rail_siding = models.BooleanField(
        _("rail siding"), null=True, blank=True, help_text=_("Blank when unknown.")
    )
    hazard_class = models.PositiveSmallIntegerField(
        _("most hazardous class allowed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_(
            "Sanitary hazard class, 1 = most hazardous … 5 = least; a project of class c fits "
            "where c is at least this number."
        ),
    )
    ceiling_height_m = optional_decimal(
        _("ceiling height, m"),
        max_digits=6,
        decimal_places=2,
    )
    floor_load_t_m2 = optional_decimal(
        _("floor load, t/m²"),
        max_digits=8,
        decimal_places=2,
    )
    crane_capacity_t = optional_decimal(
        _("crane capacity, t"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Largest crane; blank when there is none or unknown."),
    )
    dist_airport_km = optional_decimal(_("to airport, km"), **DISTANCE)
    dist_rail_km = optional_decimal(_("to railway station, km"), **DISTANCE)
    dist_port_km = optional_decimal(_("to seaport, km"), **DISTANCE)
    dist_highway_km = optional_decimal(_("to highway, km"), **DISTANCE)
    dist_border_km = optional_decimal(_("to border crossing, km"), **DISTANCE)
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    notes = models.TextField(_("notes"), blank=True)

    # Site history is looked up by the site's primary key, its park, date, user or request
    # id; an index on its owner or slug would only slow every import (one history row per
    # site written) down.
    history = registry_history(no_db_index=["owner", "site_id"])

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["park", "site_id"]
        indexes = [models.Index(fields=["park", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hazard_class__isnull=True)
                | Q(hazard_class__gte=1, hazard_class__lte=5),
                name="parks_site_hazard_class_range",
                violation_error_message=_("The hazard class is between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.site_id

    def get_absolute_url(self) -> str:
        return reverse("web:site-detail", kwargs={"site_id": self.site_id})

    def clean(self) -> None:
        if (self.sale_price is not None or self.lease_per_year is not None) and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the price and lease.")})
        if self.kind == SiteKind.PREMISES and self.area_m2 is None and self.area_ha is None:
            raise ValidationError({"area_m2": _("Give the floor area of the premises.")})


class Resident(TimeStampedModel, SourcedModel):
    """A company resident in a park, on which sites, since and until when."""

    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="residents"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="residencies",
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("sites"), blank=True, related_name="residents"
    )
    since = models.DateField(_("resident since"), null=True, blank=True)
    until = models.DateField(_("resident until"), null=True, blank=True)
    activity = models.TextField(_("activity"), blank=True)

    history = registry_history(m2m_fields=[sites])

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["park", "organization"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True)
                | Q(since__isnull=True)
                | Q(until__gte=models.F("since")),
                name="parks_resident_until_after_since",
                violation_error_message=_("A residency cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.park}"
