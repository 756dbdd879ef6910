"""Fixtures for browser tests of the Solara app, run fully offline.

``solara_server`` is a factory: ``url = solara_server(path_to_app_py)`` starts
``solara run`` for that file on a free loopback port (one server per app file and test
session), waits until it answers HTTP and returns its URL. Servers are killed, with their
whole process group, at the end of the session.

``offline_page`` gives a Playwright page in Debian's Chromium (``/usr/bin/chromium``) whose
browser context aborts every request to a host other than 127.0.0.1/localhost and records
it; ``offline_page.assert_offline()`` fails listing what was aborted or failed.

Why this is offline end to end:

* Browser side: every non-loopback request is aborted by the context route (and recorded),
  service workers are blocked, and Chromium's background networking is switched off.
* Server side: solara serves its front-end assets through its CDN proxy
  (``/_solara/cdn/...``) from ``<sys.prefix>/share/solara/cdn``, which the pinned
  ``solara-assets`` package fills. On a cache miss the proxy would download from
  ``SOLARA_ASSETS_CDN``; we point that at a dead loopback port, so a missing asset fails
  loudly (HTTP 500, recorded by ``offline_page``) instead of silently using the internet.
  Telemetry (``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``), the PyPI version check
  (``--no-check-version``), the browser auto-open (``--no-open``) and the dev-mode
  "solara.dev" check iframe (``--production``) are all switched off.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from experiments.cli import APP_ENV, APP_FILE
from tests.app.chromium import CHROMIUM, CHROMIUM_ARGS

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# A loopback port nothing listens on: a CDN-proxy cache miss must fail, not download.
# The same settings as ``mesoscape app`` (experiments.cli.APP_ENV), so tests serve as users do.
DEAD_CDN = APP_ENV["SOLARA_ASSETS_CDN"]

SERVER_START_TIMEOUT = 90.0  # seconds; a cold import of solara+matplotlib on 2 slow cores
SERVER_STOP_TIMEOUT = 10.0
PAGE_TIMEOUT_MS = 60_000


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str) -> None:
    """Skip locally, but fail under CI, where a missing browser is a broken setup."""
    if _under_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _solara_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(APP_ENV)
    env.update({"MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"})
    # A stray proxy setting must not route the readiness probe away from loopback.
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(var, None)
    return env


def _log_tail(log_path: Path, n_chars: int = 4000) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "<no server log>"
    return text[-n_chars:]


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's whole process group; bounded waits, then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, SERVER_STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_until_serving(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"solara server exited with code {proc.returncode} before serving {url}.\n"
                f"--- server log ---\n{_log_tail(log_path)}"
            )
        try:
            with opener.open(url, timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = exc
        time.sleep(0.25)
    raise TimeoutError(
        f"solara server did not answer {url} within {SERVER_START_TIMEOUT:.0f}s "
        f"(last error: {last_error}).\n--- server log ---\n{_log_tail(log_path)}"
    )


def _command(app: Path, port: int, cull: str | None) -> list[str]:
    """The real app is served as users serve it (``mesoscape app``); other files by solara."""
    if app == APP_FILE:
        return [
            sys.executable,
            "-c",
            "import sys; from experiments.cli import main; sys.exit(main(sys.argv[1:]))",
            "app",
            "--port",
            str(port),
            "--cull",
            cull or "60s",
        ]
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def start_solara_server(
    app: Path, log_path: Path, cwd: Path = REPO_ROOT, cull: str | None = None
) -> tuple[subprocess.Popen, str]:
    """Start the app on a free loopback port and wait until it serves HTTP."""
    last_exc: Exception | None = None
    for _attempt in range(3):  # a port picked as free can be taken before solara binds it
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        cmd = _command(app, port, cull)
        with log_path.open("ab") as log:
            log.write(f"$ {' '.join(cmd)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=_solara_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group, so teardown can kill it whole
            )
        try:
            _wait_until_serving(proc, url, log_path)
        except RuntimeError as exc:  # exited early: maybe the port was taken, retry
            _stop(proc)
            last_exc = exc
            if "address already in use" not in _log_tail(log_path).lower():
                raise
            continue
        except BaseException:
            _stop(proc)
            raise
        return proc, url
    assert last_exc is not None
    raise last_exc


@pytest.fixture(scope="session")
def solara_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Return ``start(app_path, cull=None) -> url``; one server per app file and cull time.

    The real app (``app.py``) is started with ``mesoscape app`` (its Host/Origin guard and
    its cull time included); ``start.procs`` maps each started server to its process and
    ``start.logs`` to its log file.
    """
    procs: dict[tuple[Path, str | None], tuple[subprocess.Popen, str]] = {}
    log_dir = tmp_path_factory.mktemp("solara-server")

    def start(app: str | os.PathLike[str], cull: str | None = None) -> str:
        app_path = Path(app).resolve()
        if not app_path.is_file():
            raise FileNotFoundError(f"Solara app not found: {app_path}")
        running = procs.get((app_path, cull))
        if running is not None and running[0].poll() is None:
            return running[1]
        log_path = log_dir / f"{app_path.stem}-{cull or 'default'}.log"
        start.logs[(app_path, cull)] = log_path
        procs[(app_path, cull)] = start_solara_server(app_path, log_path, cull=cull)
        return procs[(app_path, cull)][1]

    start.procs = procs
    start.logs = {}

    try:
        yield start
    finally:
        for proc, _url in procs.values():
            _stop(proc)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (``MESOSCAPE_ARTIFACTS`` or a tmp folder)."""
    folder = os.environ.get("MESOSCAPE_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def app_url(solara_server) -> str:
    """The real app, served as users serve it (``mesoscape app``)."""
    return solara_server(APP_FILE)


@pytest.fixture(scope="package")
def browser():
    """Headless Debian Chromium driven by Playwright (never Playwright's own browser build)."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing: apt-get install chromium (Debian's build)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _skip_or_fail(f"playwright is not importable: {exc}")
    from playwright.sync_api import expect

    # expect() has its own 5 s default; a cold Solara page on 2 busy cores can take longer.
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflinePage:
    """A page whose context lets only loopback traffic through, with what it saw."""

    page: object  # playwright.sync_api.Page
    blocked: list[str] = field(default_factory=list)  # aborted non-loopback requests
    failed: list[str] = field(default_factory=list)  # loopback requests that failed or >= 400
    external_websockets: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that shows the page was not served fully and only from loopback."""
        return (
            [f"request to a non-local host (aborted): {u}" for u in self.blocked]
            + [f"websocket to a non-local host: {u}" for u in self.external_websockets]
            + [f"local request failed: {u}" for u in self.failed]
        )

    def assert_offline(self) -> None:
        """Fail listing every non-loopback request and every failed local asset."""
        problems = self.problems()
        if problems:
            details = "\n  ".join(problems)
            console = "\n  ".join(self.console_errors) or "(none)"
            pytest.fail(
                f"page was not served fully offline:\n  {details}\nconsole errors:\n  {console}",
                pytrace=False,
            )


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "ws", "wss"}:
        return True  # data:, blob:, about: never leave the machine
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def offline_page(browser) -> Iterator[OfflinePage]:
    """A fresh browser context in which every non-loopback request is aborted and recorded."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        service_workers="block",
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    result = OfflinePage(page=page)

    def route(route) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            result.blocked.append(url)
            route.abort()

    def on_response(response) -> None:
        if response.status >= 400 and _is_local(response.url):
            result.failed.append(f"HTTP {response.status} {response.url}")

    def on_request_failed(request) -> None:
        if _is_local(request.url):
            result.failed.append(f"{request.failure} {request.url}")

    def on_websocket(ws) -> None:
        if not _is_local(ws.url):
            result.external_websockets.append(ws.url)

    def on_console(msg) -> None:
        if msg.type == "error":
            result.console_errors.append(msg.text)

    context.route("**/*", route)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("websocket", on_websocket)
    page.on("console", on_console)
    try:
        yield result
    finally:
        context.close()
