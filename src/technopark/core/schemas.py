"""The base of every API request body (django-ninja / pydantic)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# ISO 8601 as the OpenAPI document says (format: date / date-time): the date part first.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _time_kind(annotation: Any) -> type | None:
    """dt.datetime or dt.date when the field holds one (optional or not), else None."""
    if annotation in (dt.datetime, dt.date):
        return typing.cast(type, annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (kind := _time_kind(arg)) is not None:
                return kind
    return None


@functools.cache
def _field_time_kind(model: type[Schema], name: str) -> type | None:
    return _time_kind(model.model_fields[name].annotation)


class Input(Schema):
    """A request body: unknown fields are an error, not silently dropped; dates and times are
    ISO 8601 text.

    Pydantic's lax mode would read a number as a Unix time (`"as_of": 0` as 1970-01-01), and
    a string of digits too; a client that sends one has made a mistake, so it is a 422 naming
    the field.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _dates_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, dt.date) or info.field_name is None:
            return value
        kind = _field_time_kind(cls, info.field_name)
        if kind is None:
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            return value
        if kind is dt.date:
            raise PydanticCustomError("date_text", "Give a date as YYYY-MM-DD.")
        raise PydanticCustomError("datetime_text", "Give a date and time in ISO 8601.")
