"""Form fields that several apps' forms share, so that they ask the same question the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class IsicCodeField(forms.CharField):
    """An ISIC Rev.4 code: a section letter A–U or a 2–4 digit division, group or class.

    With `section_prefix`, a letter may also stand before the digits (C2732), as the site
    finder's requirements accept.
    """

    def __init__(self, *, section_prefix: bool = False, **kwargs: Any) -> None:
        pattern = r"^([A-U]|[A-U]?[0-9]{2,4})$" if section_prefix else r"^([A-U]|[0-9]{2,4})$"
        kwargs.setdefault("label", _("Industry (ISIC Rev.4)"))
        kwargs.setdefault("max_length", 5 if section_prefix else 4)
        kwargs.setdefault("initial", "C")
        kwargs.setdefault(
            "help_text", _("A section letter (C = manufacturing) or a 2–4 digit code, e.g. 2732.")
        )
        kwargs.setdefault(
            "validators",
            [
                RegexValidator(
                    pattern, _("Give a section letter A–U or a 2–4 digit ISIC code, e.g. 2732.")
                )
            ],
        )
        super().__init__(**kwargs)


class HazardClassField(forms.TypedChoiceField):
    """The sanitary hazard class of a project, 1 (most hazardous) to 5 (least)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Hazard class"))
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("choices", [(i, str(i)) for i in range(1, 6)])
        kwargs.setdefault("initial", 4)
        kwargs.setdefault("help_text", _("Sanitary hazard class, 1 = most hazardous, 5 = least."))
        super().__init__(**kwargs)
