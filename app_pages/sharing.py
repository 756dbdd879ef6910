"""Shareable links and uploads: what may come from a browser, checked before anything is built.

A link carries a *view*: the scenario (a built-in name, or an uploaded scenario's TOML text),
the levers changed from it, the seed, the quarter and the app version, packed as
``?view=<payload>.<checksum>``. Opening it rebuilds the same model and steps it to the same
quarter, so the receiver sees exactly what the sender saw. A link that was cut, edited or
made by another version gets a one-line message, never a traceback.

Uploads are TOML text only, size-limited, validated by ``scenarios.parse_scenario`` with
``base_dir=None``: an uploaded file can name only built-in regions or inline tables, so it
can never make the server read one of its own files. Nothing here takes a path.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import zlib
from dataclasses import dataclass, field

from app_pages import levers
from scenarios import ScenarioError, list_builtins, load_scenario, parse_scenario
from scenarios.schema import Scenario

MAX_UPLOAD_BYTES = 200_000  # a self-contained scenario with its catalogue is ~30 kB
MAX_LINK_CHARS = 60_000
MAX_MESSAGES = 5
SCENARIOS: dict[str, str] = dict(list_builtins()["scenarios"])  # built-in name: description
REGIONS: dict[str, str] = dict(list_builtins()["regions"])
try:
    VERSION = importlib.metadata.version("mesoscape")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
    VERSION = "0"


class LinkError(ValueError):
    """A link that cannot be opened; the message is one line for the page."""


@dataclass(frozen=True)
class View:
    """What a link reproduces."""

    scenario: str  # a built-in name, or "upload:<name>" for an uploaded scenario
    levers: dict[str, object] = field(default_factory=dict)
    seed: int = 0
    quarter: int = 0
    toml: str | None = None  # the uploaded scenario's text, if any


def builtin(name: object) -> Scenario:
    """A built-in scenario by name; any other value (a path, say) is refused.

    Raises:
        LinkError: ``name`` is not a built-in scenario name.
    """
    if not isinstance(name, str) or name not in SCENARIOS:
        raise LinkError(f"scenario: {str(name)[:80]!r} is not a built-in scenario")
    return load_scenario(name)


def check_seed(value: object) -> int:
    """The seed as the CLI accepts it: a whole number, 0 or more.

    Raises:
        LinkError: with the CLI's wording.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LinkError(f"seed: {str(value)[:80]!r} is not a whole number; allowed: 0 or more")
    try:
        number = int(value) if not isinstance(value, float) else value
    except ValueError:
        raise LinkError(
            f"seed: {str(value)[:80]!r} is not a whole number; allowed: 0 or more"
        ) from None
    if isinstance(number, float) and not number.is_integer():
        raise LinkError(f"seed: {value} is not a whole number; allowed: 0 or more")
    number = int(number)
    if number < 0:
        raise LinkError(f"seed: {number} is negative; allowed: 0 or more")
    if number >= 2**63:
        raise LinkError(f"seed: {number} is too large; allowed: 0 to {2**63 - 1}")
    return number


def parse_upload(name: str, data: bytes) -> tuple[Scenario | None, list[str]]:
    """Validate an uploaded scenario file; return it, or one-line messages (no server path).

    Args:
        name: the file name the browser sent (shown in messages, never opened).
        data: the file's bytes.
    """
    shown = "".join(ch for ch in str(name)[-60:] if ch.isprintable()) or "upload"
    if not shown.lower().endswith(".toml"):
        return None, [f"{shown}: only scenario files ending in .toml can be uploaded"]
    if len(data) > MAX_UPLOAD_BYTES:
        return None, [
            f"{shown}: too large ({len(data):,} bytes); allowed: at most {MAX_UPLOAD_BYTES:,} bytes"
        ]
    try:
        scenario = parse_scenario(data, file=shown, base_dir=None)
    except ScenarioError as exc:
        lines = [str(p) for p in exc.problems]
        if len(lines) > MAX_MESSAGES:
            lines = [*lines[:MAX_MESSAGES], f"and {len(lines) - MAX_MESSAGES} more problems"]
        return None, lines
    return scenario, []


def _digest(payload: bytes) -> str:
    return hashlib.sha256(b"mesoscape-view:" + payload).hexdigest()[:16]


def encode(view: View) -> str:
    """The ``view`` query value of a link."""
    data = {
        "v": VERSION,
        "s": view.scenario,
        "l": view.levers,
        "seed": view.seed,
        "q": view.quarter,
    }
    if view.toml is not None:
        data["t"] = view.toml
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    return f"{payload}.{_digest(payload.encode())}"


def decode(token: object) -> View:
    """Read a link's ``view`` value back, checking everything in it.

    Raises:
        LinkError: one line saying what is wrong with the link.
    """
    if not isinstance(token, str) or not token:
        raise LinkError("this link holds no view")
    if len(token) > MAX_LINK_CHARS:
        raise LinkError(f"this link is too long; allowed: at most {MAX_LINK_CHARS} characters")
    payload, _, digest = token.partition(".")
    if not digest or _digest(payload.encode()) != digest:
        raise LinkError("this link is damaged or was edited: its checksum does not match")
    try:
        padded = payload + "=" * (-len(payload) % 4)
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(padded), 1_000_000)
        data = json.loads(raw)
    except (ValueError, zlib.error):
        raise LinkError("this link is damaged: its contents cannot be read") from None
    if not isinstance(data, dict):
        raise LinkError("this link is damaged: its contents cannot be read")
    if data.get("v") != VERSION:
        raise LinkError(
            f"this link was made with Mesoscape {str(data.get('v'))[:20]}; this is {VERSION}"
        )
    lever_values = data.get("l", {})
    if not isinstance(lever_values, dict) or any(k not in levers.LEVERS for k in lever_values):
        raise LinkError("this link names levers this app does not have")
    quarter = data.get("q", 0)
    if isinstance(quarter, bool) or not isinstance(quarter, int) or quarter < 0:
        raise LinkError(f"quarter: {str(quarter)[:20]!r} is not allowed; allowed: 0 or more")
    toml = data.get("t")
    if toml is not None and not isinstance(toml, str):
        raise LinkError("this link is damaged: its scenario cannot be read")
    scenario = data.get("s")
    if not isinstance(scenario, str):
        raise LinkError("this link names no scenario")
    return View(scenario, dict(lever_values), check_seed(data.get("seed")), quarter, toml)


def resolve(view: View) -> Scenario:
    """The scenario a view describes, its levers applied, or a one-line LinkError."""
    if view.toml is not None:
        base, problems = parse_upload(view.scenario.removeprefix("upload:"), view.toml.encode())
        if base is None:
            raise LinkError("the scenario in this link is not valid: " + problems[0])
    else:
        base = builtin(view.scenario)
    scenario, problems = levers.apply(base, view.levers)
    if scenario is None:
        raise LinkError("a lever in this link is not allowed: " + problems[0])
    if view.quarter > scenario.steps:
        raise LinkError(
            f"quarter: {view.quarter} is after the end of the run; allowed: 0 to {scenario.steps}"
        )
    return scenario
