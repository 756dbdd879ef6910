"""Errors in scenario, region and catalogue input, as one clear line per problem.

A :class:`ScenarioError` carries every :class:`Problem` found in the input. ``str()`` of the
error gives one line per problem, ``FILE: FIELD: MESSAGE``, where the message says what is
allowed, e.g.::

    heartland.toml: policy.allocation.experimentation: 1.7 is out of range; allowed: 0 to 1

:func:`problems_from_validation_error` turns a pydantic ``ValidationError`` into such
problems, with dotted field paths (list items as ``[i]``) and the allowed keys, values or
bounds looked up from the schema.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import reprlib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

#: the FIELD shown for a problem with the file as a whole (unreadable, not TOML, ...)
WHOLE_FILE = "(file)"

#: problems shown per file (``mesoscape check``) or per error; the rest are counted
MAX_PROBLEMS = 20
#: characters of one problem line, and of each of its parts (a value echoed back: VALUE)
MAX_LINE = 300
MAX_FILE_SHOWN = 100
MAX_FIELD_SHOWN = 80
MAX_VALUE = 80

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SHORT_REPR = reprlib.Repr(maxlevel=3, maxlist=8, maxtuple=8, maxdict=4, maxstring=80, maxother=80)


def _one_line(text: str) -> str:
    """Escape every character that could break a line or hide in a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _cut(text: str, limit: int, *, keep_end: bool = False) -> str:
    """`text` cut to at most `limit` characters, marked with ``...``."""
    if len(text) <= limit:
        return text
    return "..." + text[-(limit - 3) :] if keep_end else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem in an input file.

    Attributes:
        file: the file as the user named it (``<parameters>`` for programmatic updates).
        field: dotted path of the field, e.g. ``region.industries[2].key``, or ``(file)``.
        message: what is wrong and what is allowed, on one line.
    """

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        """``FILE: FIELD: MESSAGE`` on one line of at most :data:`MAX_LINE` characters.

        Control and invisible characters are escaped; a long file name keeps its end.
        """
        file = _cut(_one_line(self.file), MAX_FILE_SHOWN, keep_end=True)
        field = _cut(_one_line(self.field), MAX_FIELD_SHOWN)
        return _cut(f"{file}: {field}: {_one_line(self.message)}", MAX_LINE)


def capped(problems: Sequence[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first `limit` problems, then one line counting the rest.

    Args:
        problems: the problems of one file (or one error).
        limit: how many to show.

    Returns:
        At most ``limit + 1`` problems; the last says ``... and N more problems``.
    """
    if len(problems) <= limit:
        return list(problems)
    rest = len(problems) - limit
    more = Problem(
        problems[limit].file,
        WHOLE_FILE,
        f"... and {rest} more problem{'s' if rest > 1 else ''} (fix these and check again)",
    )
    return [*problems[:limit], more]


class ScenarioError(Exception):
    """Invalid scenario, region or catalogue input; carries every problem found.

    Attributes:
        problems: the problems, at least one.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            self.problems = [Problem("<input>", WHOLE_FILE, "invalid input")]
        super().__init__(str(self))

    def __str__(self) -> str:
        """One line per problem, the first :data:`MAX_PROBLEMS` and a count of the rest."""
        return "\n".join(str(p) for p in capped(self.problems))

    @classmethod
    def single(cls, file: str, field: str, message: str) -> ScenarioError:
        """Build an error with one problem.

        Args:
            file: the file as the user named it.
            field: dotted field path or ``(file)``.
            message: what is wrong and what is allowed.

        Returns:
            The error, ready to raise.
        """
        return cls([Problem(file, field, message)])


# --------------------------------------------------------------------------- field paths


def format_path(loc: Sequence[str | int]) -> str:
    """Dotted path of a location, e.g. ``region.industries[2].key``.

    Keys that are not bare TOML keys are quoted, so that odd keys stay on one line.

    Args:
        loc: location as pydantic reports it (without union tags).

    Returns:
        The path, or ``(file)`` for the empty location.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _BARE_KEY.match(part) else json.dumps(part)
        out += f".{key}" if out else key
    return out or WHOLE_FILE


def show_value(value: object, limit: int = MAX_VALUE) -> str:
    """Short, one-line rendering of an input value for messages.

    Args:
        value: the value as read from TOML or passed in.
        limit: maximum length before the rendering is cut.

    Returns:
        E.g. ``'fast'``, ``1.7``, ``true``, ``a table``.
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, (dt.date, dt.time, dt.datetime)):
        text = f"the date/time {value.isoformat()}"
    elif isinstance(value, int) and value.bit_length() > 64:
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else "thousands of"
        text = f"a whole number of {digits} digits"
    elif isinstance(value, (list, tuple)) and len(value) > limit // 2:
        text = f"a list of {len(value):,} items"
    elif isinstance(value, str):
        text = repr(value[: limit + 1])
    elif isinstance(value, (int, float, list, tuple)) or value is None:
        text = _SHORT_REPR.repr(value)
    else:
        text = f"a {type(value).__name__}"
    return _cut(_one_line(text), limit)


# --------------------------------------------------------------------------- schema walking


def unwrap_type(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a type.

    Args:
        tp: a type annotation.

    Returns:
        The bare type (a union of several types stays a union).
    """
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_members(tp: Any) -> list[type[BaseModel]]:
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [a for a in typing.get_args(tp) if _is_model(a)]
    return []


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    if field is None:
        return None
    args = typing.get_args(unwrap_type(field.annotation))
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


@dataclass
class _Resolved:
    """What the schema says about a location."""

    path: list[str | int]  # the location without union tags
    tp: Any = None  # type at the location (None if unknown)
    field: FieldInfo | None = None  # field info of the last model field on the way
    parent: Any = None  # type of the container holding the location


def resolve_path(root: Any, loc: Sequence[str | int]) -> _Resolved:
    """Walk a location through the schema from `root`, dropping discriminated-union tags.

    Args:
        root: the model class the location is relative to.
        loc: location as pydantic reports it.

    Returns:
        The path without tags, the type and field at the location, and its container's type.
    """
    res = _Resolved(path=[], tp=root)
    for part in loc:
        tp = unwrap_type(res.tp) if res.tp is not None else None
        members = _union_members(tp)
        if members and isinstance(part, str):
            chosen = next((m for m in members if _tag_of(m) == part), None)
            if chosen is not None:
                res.tp = chosen
                continue
        res.parent = tp
        res.path.append(part)
        if _is_model(tp) and isinstance(part, str) and part in tp.model_fields:
            res.field = tp.model_fields[part]
            res.tp = res.field.annotation
        elif typing.get_origin(tp) is list and isinstance(part, int):
            res.tp = typing.get_args(tp)[0]
        else:
            res.tp = None
    return res


def _num(x: float | int) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def bounds_text(field: FieldInfo | None) -> str:
    """Allowed range of a numeric field, e.g. ``0 to 1`` or ``more than 0, up to 50``.

    Args:
        field: the pydantic field (its ``ge/gt/le/lt`` metadata is read).

    Returns:
        The range in words, or an empty string if the field has no bounds.
    """
    if field is None:
        return ""
    lo: tuple[bool, str] | None = None  # (inclusive, number)
    hi: tuple[bool, str] | None = None
    for m in field.metadata:
        if isinstance(m, annotated_types.Ge):
            lo = (True, _num(m.ge))
        elif isinstance(m, annotated_types.Gt):
            lo = (False, _num(m.gt))
        elif isinstance(m, annotated_types.Le):
            hi = (True, _num(m.le))
        elif isinstance(m, annotated_types.Lt):
            hi = (False, _num(m.lt))
    if lo and hi:
        if lo[0] and hi[0]:
            return f"{lo[1]} to {hi[1]}"
        low = f"at least {lo[1]}" if lo[0] else f"more than {lo[1]}"
        high = f"up to {hi[1]}" if hi[0] else f"less than {hi[1]}"
        return f"{low}, {high}"
    if lo:
        return f"at least {lo[1]}" if lo[0] else f"more than {lo[1]}"
    if hi:
        return f"at most {hi[1]}" if hi[0] else f"less than {hi[1]}"
    return ""


def describe(tp: Any, field: FieldInfo | None = None) -> str:
    """What a value of a schema type looks like, in words, for "allowed:" messages.

    Args:
        tp: the (possibly annotated or optional) type.
        field: the field, for numeric bounds.

    Returns:
        E.g. ``a number from 0 to 1``, ``true or false``, ``a list of text``.
    """
    tp = unwrap_type(tp)
    if tp is None:
        return "a value"
    if tp is bool:
        return "true or false"
    if tp in (int, float):
        kind = "a whole number" if tp is int else "a number"
        rng = bounds_text(field)
        if not rng:
            return kind
        return f"{kind}, {rng}" if rng[0].isalpha() else f"{kind} from {rng}"
    if tp is str:
        return "text in quotes"
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) is list:
        item = unwrap_type(typing.get_args(tp)[0])
        if _is_model(item):
            return "a list of tables"
        if _union_members(item):
            return "a list of tables, each with a type key"
        if item is str:
            return "a list of texts in quotes"
        return f"a list of values ({describe(item)})"
    if _is_model(tp):
        return "a table"
    members = _union_members(tp)
    if members:
        return "a table with a type key"
    return "a value"


# --------------------------------------------------------------------------- conversion

_TYPE_ERRORS = {
    "int_from_float",
    "int_parsing",
    "float_parsing",
    "bool_parsing",
    "model_type",
    "model_attributes_type",
    "is_instance_of",
    "dataclass_type",
}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"


def _message(err: dict[str, Any], res: _Resolved, root_extra_keys: Sequence[str]) -> str:
    kind: str = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    tp = res.tp
    if kind == "extra_forbidden":
        parent = res.parent
        if _is_model(parent):
            keys = list(parent.model_fields)
            if len(res.path) == 1:
                keys += list(root_extra_keys)
            return f"unknown key; allowed keys: {', '.join(keys)}"
        return "unknown key"
    if kind == "missing":
        return f"required key is missing; allowed: {describe(tp, res.field)}"
    if kind in _RANGE_ERRORS:
        rng = bounds_text(res.field) or err["msg"]
        return f"{show_value(value)} is out of range; allowed: {rng}"
    if kind == "literal_error":
        return f"{show_value(value)} is not allowed; allowed: {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        return (
            f"unknown type {show_value(ctx.get('tag', value))}; "
            f"allowed: {ctx.get('expected_tags', '')}"
        )
    if kind == "union_tag_not_found":
        tags = [t for m in _union_members(unwrap_type(tp)) if (t := _tag_of(m))]
        allowed = ", ".join(repr(t) for t in tags) or "a known type"
        return f"the table has no 'type' key; allowed: type = {allowed}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("actual_length")
        if kind == "too_short":
            need = f"at least {ctx.get('min_length')}"
        else:
            need = f"at most {ctx.get('max_length')}"
        return f"{n} items; allowed: a list of {need} items"
    if kind in ("string_too_long", "string_too_short"):
        n = len(value) if isinstance(value, str) else "?"
        if kind == "string_too_long":
            need = f"at most {ctx.get('max_length')}"
        else:
            need = f"at least {ctx.get('min_length')}"
        return f"{n} characters; allowed: text of {need} characters"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _KEY_PATTERN:
            allowed = "lower-case letters, digits and _, starting with a letter"
        else:
            allowed = f"text matching {ctx.get('pattern')}"
        return f"{show_value(value)} is not a valid name; allowed: {allowed}"
    if kind.endswith("_type") or kind in _TYPE_ERRORS:
        return f"{show_value(value)} has the wrong type; allowed: {describe(tp, res.field)}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def problems_from_validation_error(
    exc: ValidationError,
    file: str,
    root: type[BaseModel],
    prefix: Sequence[str | int] = (),
    root_extra_keys: Sequence[str] = (),
) -> list[Problem]:
    """Convert a pydantic ValidationError into problems with clear messages.

    Args:
        exc: the error raised by ``root.model_validate``.
        file: the file to name in every problem.
        root: the model that was validated (used to look up allowed keys, values, bounds).
        prefix: path of `root` inside the file, e.g. ``("region",)`` for an inline table.
        root_extra_keys: keys the file format allows at the top of `root` beyond its fields
            (listed as allowed for unknown keys).

    Returns:
        One problem per error, in pydantic's order.
    """
    problems = []
    for err in exc.errors(include_url=False):
        res = resolve_path(root, err["loc"])
        message = _message(err, res, root_extra_keys)
        problems.append(Problem(file, format_path([*prefix, *res.path]), message))
    return problems
