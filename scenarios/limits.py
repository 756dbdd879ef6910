"""Upper limits on every size an input can ask for, and the safe text types of the schema.

Every limit is checked before anything is built: file sizes before a file is read, CSV rows
before they are parsed, and the rest by the schema (:mod:`scenarios.schema`) when a file is
validated. They are chosen so that the largest region allowed still builds quickly and fits
in memory: the model keeps per-cell arrays of the grid (width x height x industries) and one
row per firm, so grids stay at 200x200 cells and firms at 100,000 in all.

:func:`limits_table` prints them as the README's "Limits" table
(``python -m scenarios.limits``).

Names that reach file paths or terminals are restricted too: a scenario's or region's
``name`` is a :data:`Slug` (letters, digits, ``-`` and ``_``), and every other text
(:data:`Label`, :data:`Text`) refuses control and invisible formatting characters, so that
no input can move a path outside its folder or send escape sequences to a terminal.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# --------------------------------------------------------------------------- limits

#: bytes of a scenario, region or catalogue TOML file or a region CSV (checked before reading)
MAX_FILE_BYTES = 1_000_000
#: data rows of a region CSV (one per industry and district)
MAX_CSV_ROWS = 1_000
#: grid cells along each axis (the model keeps width x height x industries arrays)
MAX_GRID = 200
MIN_GRID = 10
#: firms at the start, all industries together (a row without ``firms`` counts as
#: employment / DEFAULT_WORKERS_PER_FIRM, as the model builds it)
MAX_FIRMS = 100_000
#: workers in the labour force of the whole region (and of any one district)
MAX_LABOUR_FORCE = 10_000_000
#: entries of a region's ``industries`` list (an industry may be listed once per district)
MAX_REGION_INDUSTRIES = 1_000
#: districts of a region
MAX_DISTRICTS = 20
#: institutions of a region
MAX_INSTITUTIONS = 100
#: entries of a ``focus`` list of an institution
MAX_FOCUS = 50
#: industries of a catalogue
MAX_INDUSTRIES = 60
#: capabilities of a catalogue
MAX_CAPABILITIES = 60
#: entries of a catalogue's input-output table
MAX_INPUT_LINKS = 1_000
#: scheduled events of a scenario
MAX_EVENTS = 200
#: quarters of a run
MAX_STEPS = 2_000
#: the product of every demand_boom factor (1 + fraction) on one industry over a run; the
#: ramps are permanent, so this is the most an industry's demand can be multiplied by events
MAX_DEMAND_MULTIPLIER = 100.0
#: characters of a name (scenario, region) and of a label (district, industry name, ...)
MAX_NAME = 64
MAX_LABEL = 80
#: characters of a description
MAX_DESCRIPTION = 2_000

#: average firm size the model uses when a region gives no firm count (model.setup)
DEFAULT_WORKERS_PER_FIRM = 40


def default_firm_count(
    employment: int, firms: int | None, per_firm: float = DEFAULT_WORKERS_PER_FIRM
) -> int:
    """Firms the model creates for one industry entry (as ``model.setup`` builds them).

    Args:
        employment: the entry's workers.
        firms: the entry's firm count, or None for the default.
        per_firm: average workers per firm where no count is given (the scenario's
            ``firms.workers_per_firm`` where it has one).

    Returns:
        The number of firms, 0 for an entry without workers.
    """
    if employment <= 0:
        return 0
    n = firms if firms is not None else max(1, round(employment / per_firm))
    return max(1, min(n, employment))


LIMITS: tuple[tuple[str, str, str], ...] = (
    ("file size (TOML or CSV)", f"{MAX_FILE_BYTES:,} bytes (1 MB)", "checked before reading"),
    ("region CSV rows", f"{MAX_CSV_ROWS:,}", "counted before the rows are parsed"),
    ("grid", f"{MIN_GRID} to {MAX_GRID} cells each way", "region width, height"),
    (
        "firms at the start",
        f"{MAX_FIRMS:,} in all",
        f"an entry without firms counts employment / {DEFAULT_WORKERS_PER_FIRM}",
    ),
    ("labour force", f"{MAX_LABOUR_FORCE:,} workers in all", "sum of the districts'"),
    ("region industry entries", f"{MAX_REGION_INDUSTRIES:,}", "one per industry and district"),
    ("districts", f"{MAX_DISTRICTS}", ""),
    ("institutions", f"{MAX_INSTITUTIONS}", f"each with at most {MAX_FOCUS} focus entries"),
    ("catalogue industries", f"{MAX_INDUSTRIES}", ""),
    ("catalogue capabilities", f"{MAX_CAPABILITIES}", ""),
    ("input-output links", f"{MAX_INPUT_LINKS:,}", ""),
    ("events", f"{MAX_EVENTS}", "scheduled in one scenario"),
    ("steps", f"1 to {MAX_STEPS:,} quarters", ""),
    (
        "stacked demand booms",
        f"x{MAX_DEMAND_MULTIPLIER:g}",
        "product of (1 + fraction) of all demand_boom events on one industry",
    ),
    ("names", f"1 to {MAX_NAME} characters", "scenario and region: letters, digits, - and _"),
    ("labels, descriptions", f"{MAX_LABEL} / {MAX_DESCRIPTION:,} characters", "no control codes"),
)


def limits_table() -> str:
    """The limits as a Markdown table (the README's "Limits" section).

    Returns:
        The table, one row per limit.
    """
    rows = ["| what | at most | note |", "| --- | --- | --- |"]
    rows += [f"| {what} | {limit} | {note} |" for what, limit, note in LIMITS]
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- safe text

SLUG = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_NAME}}}")
#: pydantic error type of the text checks (not a cross-check: shown even with stand-ins)
_TEXT_ERROR = "unsafe_text"
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def unsafe_character(text: str, allow: str = "") -> str | None:
    """The first character of `text` that could hide in or break a terminal line, if any.

    Control characters (NUL, escape, line breaks), invisible formatting characters (e.g.
    right-to-left overrides), surrogates, private-use and unassigned code points count.

    Args:
        text: the text.
        allow: characters allowed anyway (e.g. newline and tab for descriptions).

    Returns:
        The character, or None if the text is safe.
    """
    if text.isprintable():  # the common case, fast: no character of those categories
        return None
    for ch in text:
        if ch not in allow and unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            return ch
    return None


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _text_check(max_len: int, allow: str = "", min_len: int = 0):
    def check(value: str) -> str:
        if len(value) < min_len:
            raise PydanticCustomError(_TEXT_ERROR, "empty; allowed: at least one character")
        if len(value) > max_len:
            raise PydanticCustomError(
                _TEXT_ERROR,
                "{n} characters; allowed: at most {limit}",
                {"n": len(value), "limit": max_len},
            )
        bad = unsafe_character(value, allow)
        if bad is not None:
            raise PydanticCustomError(
                _TEXT_ERROR,
                "holds the control or invisible character {cp}; allowed: printable text",
                {"cp": _codepoint(bad)},
            )
        return value

    return check


def _slug_check(value: str) -> str:
    if not SLUG.fullmatch(value):
        if not value:
            why = "empty"
        elif len(value) > MAX_NAME:
            why = f"{len(value)} characters"
        else:
            bad = next(ch for ch in value if not SLUG.fullmatch(ch))
            why = (
                f"holds {_codepoint(bad)} {bad!r}"
                if bad.isprintable()
                else (f"holds the character {_codepoint(bad)}")
            )
        raise PydanticCustomError(
            _TEXT_ERROR,
            "not a valid name ({why}); allowed: 1 to {limit} letters, digits, - and _",
            {"why": why, "limit": MAX_NAME},
        )
    return value


#: a scenario's or region's name: it becomes part of output paths
Slug = Annotated[str, AfterValidator(_slug_check)]
#: a one-line name shown to people (district, industry name, capability, sector)
Label = Annotated[str, AfterValidator(_text_check(MAX_LABEL, min_len=1))]
#: free text over several lines (descriptions)
Text = Annotated[str, AfterValidator(_text_check(MAX_DESCRIPTION, allow="\n\t"))]
#: a key of the catalogue (industry key): lower-case letters, digits and _
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_NAME)]


def slugify(text: str, fallback: str) -> str:
    """A valid name made from `text` (a file name), e.g. ``"my region (v2)"`` -> ``my_region_v2``.

    Args:
        text: the text, typically a file's stem.
        fallback: the name to use if nothing usable is left.

    Returns:
        A :data:`Slug`.
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:MAX_NAME]
    return slug or fallback


if __name__ == "__main__":
    print(limits_table(), end="")
