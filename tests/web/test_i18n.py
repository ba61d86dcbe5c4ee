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


#: Strings whose translation is the same text: acronyms and units, and Uzbek words that are
#: the English ones (Park, Operator, Investor, Transport, Administrator).
SAME_IN_TRANSLATION = {
    "ru": {"API", "IRR", "MIRR", "NPV", "NPV, %(currency)s", "SHA-256", "URL"},
    "uz": {
        "API",
        "API token",
        "Administrator",
        "Format: docs/project-schema.md.",
        "IRR",
        "Investor",
        "MIRR",
        "NPV",
        "NPV, %(currency)s",
        "Operator",
        "Park",
        "SHA-256",
        "Transport",
        "URL",
        "km",
        "operator",
        "park",
    },
}
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "pgettext_lazy", "ngettext", "ngettext_lazy"}
TEMPLATE_STRING = re.compile(r'{%\s*(?:translate|trans)\s+"((?:[^"\\]|\\.)*)"')
TEMPLATE_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)


def block_msgid(options: str, body: str) -> str:
    """The msgid makemessages makes of a {% blocktranslate %} body: `%` doubled, `{{ x }}` as
    `%(x)s`, lines joined when `trimmed`."""
    if "trimmed" in options:
        body = " ".join(line.strip() for line in body.strip().splitlines())
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%"))


def source_strings() -> dict[str, str]:
    """Each literal msgid of a gettext call in the code or a {% translate "…" %} or
    {% blocktranslate %} (but plural ones) in a template, with the first file that has it:
    what makemessages collects."""
    import ast

    found: dict[str, str] = {}
    source = LOCALE.parent
    for path in sorted(source.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in GETTEXT_CALLS and isinstance(getattr(first, "value", None), str):
                found.setdefault(first.value, str(path.relative_to(source)))
    for path in sorted(source.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_STRING.finditer(text):
            found.setdefault(match.group(1), str(path.relative_to(source)))
        for match in TEMPLATE_BLOCK.finditer(text):
            if "{% plural" not in match.group(2):
                msgid = block_msgid(match.group(1), match.group(2))
                found.setdefault(msgid, str(path.relative_to(source)))
    return found


@pytest.mark.parametrize("language", ["ru", "uz"])
def test_every_string_in_the_code_is_in_a_catalogue(language: str) -> None:
    """A string added to the code but to no .po file is shown in English (the catalogue tests
    above only see what the catalogues hold)."""
    from django.utils import translation

    strings = source_strings()
    assert len(strings) > 1000
    with translation.override(language):
        untranslated = {
            msgid: where
            for msgid, where in strings.items()
            if translation.gettext(msgid) == msgid and msgid not in SAME_IN_TRANSLATION[language]
        }
    assert untranslated == {}
