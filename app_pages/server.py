"""Serving the app: Solara's Starlette app behind a Host/Origin guard, on localhost by default.

``serve`` is what ``mesoscape app`` runs, in its own process: stopping the command stops the
server. Before Solara is imported it sets the environment that keeps the app offline (no
telemetry, front-end assets only from the installed ``solara-assets``) and the time after
which a disconnected session's kernel, and with it its model, is freed
(``SOLARA_KERNEL_CULL_TIMEOUT``; Solara's default is 24 h).

``HostOriginGuard`` refuses, on every HTTP request and websocket, a ``Host`` header that is
not the served host and an ``Origin`` header from another site, so a web page the user
visits while the app runs cannot drive it.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from app_pages import PUBLIC_URL_ENV  # no solara import before the environment is set

LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_CULL = "2m"


def _host_of(value: str) -> str:
    """The host part of a Host header or an Origin URL, lower case, without the port."""
    value = value.strip().lower()
    if "://" in value:
        return (urlsplit(value).hostname or "").strip("[]")
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names the app answers to: the bound host (loopback names for loopback)."""
    names = {host.lower().strip("[]"), *(e.lower().strip("[]") for e in extra if e)}
    if names & set(LOOPBACK) or host in ("0.0.0.0", "::"):
        names |= set(LOOPBACK)
    names.discard("0.0.0.0")
    names.discard("::")
    return frozenset(names)


class HostOriginGuard:
    """ASGI middleware: 403 for a foreign Host or Origin, on HTTP and websockets."""

    def __init__(self, app, hosts: Iterable[str]) -> None:
        """Wrap ``app``; ``hosts`` are the allowed host names (no ports)."""
        self.app = app
        self.hosts = frozenset(hosts)

    def refused(self, scope) -> str | None:
        """Why the request is refused, or None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host")
        if host is None or _host_of(host) not in self.hosts:
            return "unknown host"
        origin = headers.get("origin")
        if origin is not None and (origin == "null" or _host_of(origin) not in self.hosts):
            return "foreign origin"
        return None

    async def __call__(self, scope, receive, send) -> None:
        """Pass allowed requests on; answer others with 403 (websockets: close 1008)."""
        if scope["type"] not in ("http", "websocket") or self.refused(scope) is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"Forbidden: this app only answers its own pages."
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def app_environment(cull: str) -> dict[str, str]:
    """The environment the Solara server runs with (offline, short cull time)."""
    from experiments.cli import APP_ENV, APP_FILE

    return {
        **APP_ENV,
        "SOLARA_APP": str(APP_FILE),
        "SOLARA_MODE": "production",
        "SOLARA_KERNEL_CULL_TIMEOUT": cull,
    }


def _release_memory(period: float = 5.0) -> None:
    """Forever: when sessions were culled, collect garbage and give freed memory back."""
    import ctypes
    import gc
    import logging
    import time

    from solara.server import kernel_context

    log = logging.getLogger("mesoscape.app")
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        trim = None
    last = 0
    while True:
        time.sleep(period)
        live = len(kernel_context.contexts)
        if live < last:
            gc.collect()
            if trim is not None:
                trim(0)
            models = sum(type(o).__name__ == "RegionModel" for o in gc.get_objects())
            log.warning(
                "sessions: %d open (%d freed); models in memory: %d", live, last - live, models
            )
        last = live


def serve(host: str, port: int, cull: str = DEFAULT_CULL, allow: Iterable[str] = ()) -> int:
    """Serve the app until interrupted; return the exit code.

    Args:
        host: the address to bind (127.0.0.1 unless the user asks otherwise).
        port: the TCP port.
        cull: how long a disconnected session's model is kept, e.g. ``"2m"`` or ``"30s"``.
        allow: further host names the app answers to (e.g. a machine name for ``--host``).
    """
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack
    os.environ.update(app_environment(cull))
    shown = f"[{host}]" if ":" in host else host
    os.environ[PUBLIC_URL_ENV] = f"http://{shown}:{port}"
    os.environ.setdefault("SERVER_NAME", host)
    os.environ.setdefault("SERVER_PORT", str(port))
    import solara.server.settings as server_settings
    import uvicorn
    from solara.server.starlette import app as solara_app

    server_settings.kernel.cull_timeout = cull  # in case solara was imported before
    server_settings.telemetry.mixpanel_enable = False

    threading.Thread(target=_release_memory, daemon=True, name="release-memory").start()
    guarded = HostOriginGuard(solara_app, allowed_hosts(host, allow))
    print(f"Mesoscape app: http://{shown}:{port}/  (Ctrl+C stops it)", file=sys.stderr, flush=True)
    config = uvicorn.Config(
        guarded,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        ws_max_size=4 * 1024 * 1024,
    )
    uvicorn.Server(config).run()
    return 0
