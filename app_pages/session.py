"""One browser session's state: its scenario, levers, seed, uploads and its own model.

A ``Session`` is created per browser session by the app's layout (``solara.use_memo``), never
at module level, so two sessions never share a model. Everything the browser sends goes
through the ``choose_*`` / ``set_*`` methods, which check it as the CLI does and return a
one-line message instead of raising. A lock serialises the model's stepping between the
Play thread and button clicks. Three reactive values tell the pages what changed: ``tick``
(a quarter was simulated or an intervention applied), ``epoch`` (the model was rebuilt, or a
lever, the seed or the scenario was edited), ``playing`` and ``finished`` (the run is at its
horizon; it changes only when that does, so the player's buttons are not redrawn every
quarter).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import solara

from app_pages import levers, sharing, view
from model import RegionModel
from scenarios import scenario_to_toml
from scenarios.schema import Scenario

DEFAULT_SCENARIO = "decline_bottom_up"
MAX_UPLOADS = 10
MAX_OVERLAYS = 8


@dataclass
class Run:
    """A finished or abandoned run kept for the Workshop overlay."""

    seed: int
    unemployment: list[float]
    employment: list[float]


@dataclass
class Session:
    """The state of one browser session (see the module docstring)."""

    scenario_key: str = DEFAULT_SCENARIO
    seed: int = 0
    uploads: dict[str, tuple[Scenario, str]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)  # lever edits, applied on Reset
    message: str = ""  # the latest inline problem, shown on the page
    runs: list[Run] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    model: RegionModel | None = None
    applied: Scenario | None = None
    applied_key: str = ""
    player: int = 0  # the current Play loop; older loops stop
    tick: solara.Reactive[int] = field(default_factory=lambda: solara.reactive(0))
    epoch: solara.Reactive[int] = field(default_factory=lambda: solara.reactive(0))
    playing: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(False))
    finished: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(False))

    def __post_init__(self) -> None:
        """Build the default scenario's model."""
        self.values = levers.current_values(self.base())
        self.reset()

    def ticked(self) -> None:
        """Tell the live views that the model moved (a quarter, an intervention)."""
        self.tick.value += 1
        self.finished.value = self.at_end()  # fires only when it changes

    def changed(self) -> None:
        """Tell every view that the model was rebuilt or an edit is pending."""
        self.epoch.value += 1
        self.finished.value = self.at_end()

    # ------------------------------------------------------------------ choices

    def choices(self) -> dict[str, str]:
        """Scenario keys the browser may pick: built-ins and this session's uploads."""
        out = dict(sharing.SCENARIOS)
        out.update(
            {key: f"Uploaded: {s.description or s.name}" for key, (s, _) in self.uploads.items()}
        )
        return out

    def base(self) -> Scenario:
        """The chosen scenario before lever edits."""
        if self.scenario_key in self.uploads:
            return self.uploads[self.scenario_key][0]
        return sharing.builtin(self.scenario_key)

    def choose_scenario(self, key: object) -> str | None:
        """Pick a scenario (its levers reset to its own values); a message if not allowed."""
        if not isinstance(key, str) or key not in self.choices():
            return f"scenario: {str(key)[:80]!r} is not one of the scenarios offered"
        with self.lock:
            self.scenario_key = key
            self.values = levers.current_values(self.base())
            self.reset()
        return None

    def set_seed(self, value: object) -> str | None:
        """Set the seed for the next Reset; a message if it is not a whole number >= 0."""
        try:
            self.seed = sharing.check_seed(value)
        except sharing.LinkError as exc:
            return str(exc)
        return None

    def set_lever(self, path: str, value: object) -> str | None:
        """Record a lever edit (applied on Reset); a message if the value is not allowed."""
        problem = levers.check_value(path, value)
        if problem is None:
            self.values[path] = value
        return problem

    def pending(self) -> bool:
        """True if lever edits or the seed differ from the running model's."""
        if self.applied is None or self.model is None:
            return True
        return (
            levers.changed(self.applied, self.values) != {}
            or self.model.seed != self.seed
            or self.applied_key != self.scenario_key
        )

    # ------------------------------------------------------------------ the model

    def reset(self) -> list[str]:
        """Rebuild the model with the chosen scenario, lever edits and seed; messages if not."""
        scenario, problems = levers.apply(self.base(), self.values)
        if scenario is None:
            return problems
        with self.lock:
            if self.model is not None and view.quarter(self.model) > 0:
                self._keep_run()
            self.applied, self.applied_key = scenario, self.scenario_key
            self.model = view.build(scenario, self.seed)
            self.finished.value = False
        return []

    def _keep_run(self) -> None:
        hist = view.history(self.model)
        self.runs.append(
            Run(
                self.model.seed,
                (100 * hist["unemployment_rate"]).tolist(),
                (hist["employment"] / 1000).tolist(),
            )
        )
        del self.runs[:-MAX_OVERLAYS]

    def step(self, quarters: int = 1) -> int:
        """Advance the model, never past its horizon; return the quarters done."""
        with self.lock:
            return view.step(self.model, quarters)

    def at_end(self) -> bool:
        """True once the model has reached its horizon."""
        return view.quarter(self.model) >= view.horizon(self.model)

    # ------------------------------------------------------------------ sharing

    def add_upload(self, name: str, data: bytes) -> list[str]:
        """Validate an upload; keep it in this session (by content) and choose it."""
        scenario, problems = sharing.parse_upload(name, data)
        if scenario is None:
            return problems
        key = f"upload:{scenario.name}"
        self.uploads[key] = (scenario, data.decode("utf-8", errors="replace"))
        while len(self.uploads) > MAX_UPLOADS:
            self.uploads.pop(next(iter(self.uploads)))
        self.choose_scenario(key)
        return []

    def read_upload(self, info: dict) -> list[str]:
        """Read a browser file (``name``, ``size``, ``file_obj``) within the size limit."""
        name = str(info.get("name") or "upload.toml")
        size = info.get("size")
        if not isinstance(size, int) or size < 0 or size > sharing.MAX_UPLOAD_BYTES:
            return [
                f"{name[-60:]}: too large ({size} bytes); allowed: at most "
                f"{sharing.MAX_UPLOAD_BYTES:,} bytes"
            ]
        try:
            data = info["file_obj"].read(size)
        except Exception:  # noqa: BLE001 - a browser that stops sending: say so, inline
            return [f"{name[-60:]}: the upload did not complete; try again"]
        return self.add_upload(name, data)

    def link_view(self) -> sharing.View:
        """What a link to the current view carries."""
        toml = self.uploads[self.applied_key][1] if self.applied_key in self.uploads else None
        base = self.uploads[self.applied_key][0] if toml else sharing.builtin(self.applied_key)
        return sharing.View(
            self.applied_key,
            levers.changed(base, levers.current_values(self.applied)),
            self.model.seed,
            view.quarter(self.model),
            toml,
        )

    def open_view(self, token: object) -> str | None:
        """Rebuild exactly the view of a link; a one-line message if the link is not valid."""
        try:
            shared = sharing.decode(token)
            scenario = sharing.resolve(shared)
        except sharing.LinkError as exc:
            return f"This link cannot be opened: {exc}"
        with self.lock:
            if shared.toml is not None:
                self.uploads[shared.scenario] = (
                    sharing.parse_upload(
                        shared.scenario.removeprefix("upload:"), shared.toml.encode()
                    )[0],
                    shared.toml,
                )
            self.scenario_key = shared.scenario
            self.values = levers.current_values(scenario)
            self.seed = shared.seed
            self.model = None
            self.reset()
            view.step(self.model, shared.quarter)
            self.finished.value = self.at_end()
        return None

    def describe_run(self) -> str:
        """The running model in one line: scenario, seed and the levers changed from it."""
        base = self.uploads[self.applied_key][0] if self.applied_key in self.uploads else None
        base = base or sharing.builtin(self.applied_key)
        edits = levers.changed(base, levers.current_values(self.applied))
        listed = ", ".join(
            f"{levers.LEVERS[p].label} {v:g}"
            if isinstance(v, float)
            else f"{levers.LEVERS[p].label} {v}"
            for p, v in edits.items()
        )
        return f"This run: {self.applied.name}, seed {self.model.seed}; " + (
            f"changed levers: {listed}" if listed else "the scenario's own levers"
        )

    def scenario_toml(self) -> str:
        """The running scenario (with its lever edits) as a self-contained TOML file."""
        return scenario_to_toml(self.applied)
