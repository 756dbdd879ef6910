"""Reading input files: bounded in size, decoded, parsed; the built-in data's locations.

Every failure is a :class:`~scenarios.errors.ScenarioError` naming the file. Built-in files
are parsed once and handed out as copies. Part of :mod:`scenarios.loader`.
"""

from __future__ import annotations

import copy
import functools
import os
import tomllib
from pathlib import Path
from typing import Any

from scenarios.errors import WHOLE_FILE, ScenarioError
from scenarios.limits import MAX_FILE_BYTES

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.toml"
REGIONS_DIR = DATA_DIR / "regions"
SCENARIOS_DIR = DATA_DIR / "scenarios"
PathLike = str | os.PathLike[str]


def _fail(file: str, field: str, message: str) -> ScenarioError:
    return ScenarioError.single(file, field, message)


def _too_large(display: str, size: int | None = None) -> ScenarioError:
    found = f" ({size:,} bytes)" if size is not None else ""
    return _fail(
        display,
        WHOLE_FILE,
        f"the file is too large{found}; allowed: at most {MAX_FILE_BYTES:,} bytes (1 MB)",
    )


def _read_bytes(path: Path, display: str, kind: str = "a .toml file") -> bytes:
    """Read a regular file of bounded size, or raise a ScenarioError naming it.

    The size is checked before anything is read, and the read itself is bounded (a file
    that grows meanwhile is refused too).
    """
    try:
        if not path.exists():
            raise _fail(display, WHOLE_FILE, "file not found")
        if not path.is_file():
            what = "a directory" if path.is_dir() else "not a regular file"
            raise _fail(display, WHOLE_FILE, f"is {what}; allowed: {kind}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_large(display, size)
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(display, WHOLE_FILE, f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:  # e.g. a NUL character in the path
        raise _fail(display, WHOLE_FILE, f"not a usable file name: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(display)
    return data


def _decode(data: bytes | str, display: str, what: str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            display,
            WHOLE_FILE,
            f"not valid {what}: the file is not UTF-8 text (bad byte at position {exc.start})",
        ) from None


def _parse_toml(data: bytes | str, display: str) -> dict[str, Any]:
    """Parse TOML text, or raise a ScenarioError naming the file, line and column."""
    text = _decode(data, display, "TOML")
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, and huge integer literals
        msg = str(exc).replace("(at line", "(line").replace("(at end of document)", "(at the end)")
        raise _fail(display, WHOLE_FILE, f"not valid TOML: {msg}") from None
    except RecursionError:
        raise _fail(display, WHOLE_FILE, "not valid TOML: nested too deeply") from None


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    if path.parent in (REGIONS_DIR, SCENARIOS_DIR) and path.stem in _builtin_names(path.parent):
        return copy.deepcopy(_builtin_data(path, display))
    return _parse_toml(_read_bytes(path, display), display)


@functools.cache
def _builtin_data(path: Path, display: str) -> dict[str, Any]:
    """A built-in file, parsed once (callers get a copy)."""
    return _parse_toml(_read_bytes(path, display), display)


@functools.cache
def _builtin_names(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))
