"""Building blocks of the schema: the strict base model, fractions and the cross-checks' report.

A cross-check (a model validator comparing several fields) collects every :data:`Issue` it
finds and raises them all at once with :func:`_raise_issues`, each at its own location and
with the error type :data:`CONSISTENCY_ERROR`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from scenarios.errors import show_value

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]

#: error type of the schema's cross-reference and consistency checks (pydantic ``type``)
CONSISTENCY_ERROR = "consistency"

#: one cross-check failure: location relative to the validated model, message, offending value
Issue = tuple[tuple[str | int, ...], str, object]


def _raise_issues(title: str, issues: list[Issue]) -> None:
    """Raise all issues at once as one ValidationError, each at its own location.

    Raised inside a model validator, pydantic prefixes each location with the path of the
    model being validated, so a nested failure names the real field, e.g.
    ``region.industries[3].key``.
    """
    if not issues:
        return
    details = [
        InitErrorDetails(
            type=PydanticCustomError(CONSISTENCY_ERROR, "{message}", {"message": message}),
            loc=loc,
            input=value,
        )
        for loc, message, value in issues
    ]
    raise ValidationError.from_exception_data(title, details)


#: characters of a list of allowed names in a message before it is cut short
_NAMES_SHOWN = 160


def _names(names: Iterable[str]) -> str:
    """Sorted names, comma-separated; a long list ends with ``... (N in all)``."""
    names = sorted(names)
    text = ", ".join(names)
    if len(text) <= _NAMES_SHOWN:
        return text
    shown: list[str] = []
    for name in names:
        if len(", ".join([*shown, name])) > _NAMES_SHOWN:
            break
        shown.append(name)
    return f"{', '.join(shown)}, ... ({len(names)} in all)"


def unknown_name(kind: str, name: object, allowed: Iterable[str]) -> str:
    """Message for a name that is not in `allowed`, with a close match if there is one.

    Args:
        kind: what the name should be, e.g. ``"industry"``.
        name: the offending value.
        allowed: the names that are allowed.

    Returns:
        One line, e.g. ``unknown industry 'batteris' (did you mean 'batteries'?); allowed: ...``.
    """
    allowed = sorted(allowed)
    hint = ""
    if isinstance(name, str) and len(name) <= 100:  # difflib is slow on long text
        close = difflib.get_close_matches(name, allowed, n=1)
        if close:
            hint = f" (did you mean {show_value(close[0])}?)"
    return f"unknown {kind} {show_value(name)}{hint}; allowed: {_names(allowed)}"


class Strict(BaseModel):
    """Base: unknown keys and wrong types are errors, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
