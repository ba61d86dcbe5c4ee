"""Every UI string has a Russian and an Uzbek translation, and the compiled catalogues are current."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "technopark" / "locale"


def po_entries(path: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of each entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if re.search(r"^#~", block, re.M):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if not text:
            continue
        strs = [
            "".join(re.findall(r'"(.*)"', m))
            for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        ]
        entries.append((text, strs, "#, fuzzy" in block))
    return entries


@pytest.mark.parametrize("language", ["ru", "uz"])
def test_every_string_is_translated(language: str) -> None:
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    missing = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == []


@pytest.mark.parametrize("language", ["ru", "uz"])
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for msgid, strs, _fuzzy in po_entries(folder / "django.po"):
        if len(strs) == 1 and "\\" not in msgid:
            assert compiled.gettext(msgid) == strs[0].replace('\\"', '"'), msgid


@pytest.mark.parametrize("language", ["ru", "uz"])
def test_placeholders_survive_translation(language: str) -> None:
    for msgid, strs, _fuzzy in po_entries(LOCALE / language / "LC_MESSAGES" / "django.po"):
        wanted = sorted(set(re.findall(r"%\(\w+\)[sdr]|\{\w+\}", msgid)))
        for s in strs:
            assert sorted(set(re.findall(r"%\(\w+\)[sdr]|\{\w+\}", s))) == wanted, (msgid, s)
