"""Titles of ISIC Rev.4 sections and divisions (UN Statistics Division), for display.

A group or class code (3 or 4 digits) is shown with its division's title.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SECTIONS: dict[str, Promise] = {
    "A": _("Agriculture, forestry and fishing"),
    "B": _("Mining and quarrying"),
    "C": _("Manufacturing"),
    "D": _("Electricity, gas, steam and air conditioning supply"),
    "E": _("Water supply; sewerage, waste management and remediation activities"),
    "F": _("Construction"),
    "G": _("Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    "H": _("Transportation and storage"),
    "I": _("Accommodation and food service activities"),
    "J": _("Information and communication"),
    "K": _("Financial and insurance activities"),
    "L": _("Real estate activities"),
    "M": _("Professional, scientific and technical activities"),
    "N": _("Administrative and support service activities"),
    "O": _("Public administration and defence; compulsory social security"),
    "P": _("Education"),
    "Q": _("Human health and social work activities"),
    "R": _("Arts, entertainment and recreation"),
    "S": _("Other service activities"),
    "T": _("Activities of households as employers"),
    "U": _("Activities of extraterritorial organizations and bodies"),
}

DIVISIONS: dict[str, Promise] = {
    "01": _("Crop and animal production, hunting and related service activities"),
    "02": _("Forestry and logging"),
    "03": _("Fishing and aquaculture"),
    "05": _("Mining of coal and lignite"),
    "06": _("Extraction of crude petroleum and natural gas"),
    "07": _("Mining of metal ores"),
    "08": _("Other mining and quarrying"),
    "09": _("Mining support service activities"),
    "10": _("Manufacture of food products"),
    "11": _("Manufacture of beverages"),
    "12": _("Manufacture of tobacco products"),
    "13": _("Manufacture of textiles"),
    "14": _("Manufacture of wearing apparel"),
    "15": _("Manufacture of leather and related products"),
    "16": _("Manufacture of wood and of products of wood and cork"),
    "17": _("Manufacture of paper and paper products"),
    "18": _("Printing and reproduction of recorded media"),
    "19": _("Manufacture of coke and refined petroleum products"),
    "20": _("Manufacture of chemicals and chemical products"),
    "21": _("Manufacture of pharmaceuticals"),
    "22": _("Manufacture of rubber and plastics products"),
    "23": _("Manufacture of other non-metallic mineral products"),
    "24": _("Manufacture of basic metals"),
    "25": _("Manufacture of fabricated metal products"),
    "26": _("Manufacture of computer, electronic and optical products"),
    "27": _("Manufacture of electrical equipment"),
    "28": _("Manufacture of machinery and equipment n.e.c."),
    "29": _("Manufacture of motor vehicles, trailers and semi-trailers"),
    "30": _("Manufacture of other transport equipment"),
    "31": _("Manufacture of furniture"),
    "32": _("Other manufacturing"),
    "33": _("Repair and installation of machinery and equipment"),
    "35": _("Electricity, gas, steam and air conditioning supply"),
    "36": _("Water collection, treatment and supply"),
    "37": _("Sewerage"),
    "38": _("Waste collection, treatment and disposal; materials recovery"),
    "41": _("Construction of buildings"),
    "42": _("Civil engineering"),
    "43": _("Specialized construction activities"),
    "46": _("Wholesale trade"),
    "49": _("Land transport and transport via pipelines"),
    "52": _("Warehousing and support activities for transportation"),
    "58": _("Publishing activities"),
    "61": _("Telecommunications"),
    "62": _("Computer programming, consultancy and related activities"),
    "63": _("Information service activities"),
    "71": _("Architectural and engineering activities; technical testing and analysis"),
    "72": _("Scientific research and development"),
    "85": _("Education"),
    "86": _("Human health activities"),
}


def isic_title(code: str) -> str:
    """The title of a section or division; for a group or class, its division's title."""
    code = (code or "").strip()
    if code in SECTIONS:
        return str(SECTIONS[code])
    title = DIVISIONS.get(code[:2])
    return str(title) if title is not None else ""
