"""Allowed values of the registry; the same codes are used in the exchange schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParkKind(models.TextChoices):
    TECHNOPARK = "technopark", _("Technopark")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    SEZ = "sez", _("Special economic zone")
    FEZ = "fez", _("Free economic zone")
    SMALL_INDUSTRIAL_ZONE = "small_industrial_zone", _("Small industrial zone")
    TECHNOPOLIS = "technopolis", _("Technopolis")
    CLUSTER = "cluster", _("Cluster")


class ParkStage(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("Operating")


class Development(models.TextChoices):
    GREENFIELD = "greenfield", _("Greenfield")
    BROWNFIELD = "brownfield", _("Brownfield")


class CoordPrecision(models.TextChoices):
    SITE = "site", _("The park's own location")
    CITY = "city", _("Centre of the named town")


class OrganizationKind(models.TextChoices):
    MANAGEMENT_COMPANY = "management_company", _("Management company")
    ASSOCIATION = "association", _("Association")
    GOVERNMENT = "government", _("Government body")
    COMPANY = "company", _("Company")
    INVESTOR = "investor", _("Investor")


class SiteKind(models.TextChoices):
    PLOT = "plot", _("Land plot")
    PREMISES = "premises", _("Premises")


class SiteStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    OCCUPIED = "occupied", _("Occupied")


class Tenure(models.TextChoices):
    SALE = "sale", _("Sale")
    LEASE = "lease", _("Lease")
    BOTH = "both", _("Sale or lease")


class Utility(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Natural gas")
    WATER = "water", _("Water")
    WASTEWATER = "wastewater", _("Wastewater")
    HEAT = "heat", _("Heat")


# Capacity units of each utility, used by utilities, sites and the exchange schema.
UTILITY_CAPACITY_UNIT = {
    Utility.ELECTRICITY: "MW",
    Utility.GAS: "m3/h",
    Utility.WATER: "m3/day",
    Utility.WASTEWATER: "m3/day",
    Utility.HEAT: "Gcal/h",
}


class RegisterEntryKind(models.TextChoices):
    REGISTER = "register", _("Official register entry")
    CERTIFICATE = "certificate", _("Certificate")


# Units in which the registry stores tariffs and connection fees, one per utility, so that
# the site finder can compute with them without conversions.
TARIFF_UNIT = {
    Utility.ELECTRICITY: "per kWh",
    Utility.GAS: "per 1000 m3",
    Utility.WATER: "per m3",
    Utility.WASTEWATER: "per m3",
    Utility.HEAT: "per Gcal",
}
CONNECTION_FEE_UNIT = {
    Utility.ELECTRICITY: "per kW",
    Utility.GAS: "per m3/h",
    Utility.WATER: "per m3/day",
    Utility.WASTEWATER: "per m3/day",
    Utility.HEAT: "per Gcal/h",
}
