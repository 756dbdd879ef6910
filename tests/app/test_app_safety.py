"""A closed app (issue 9, accept. 5): forged websocket values and foreign origins load nothing.

The browser tests rewrite the app's own websocket message so that the scenario choice
carries a server path, and open websockets and pages with a foreign Origin or Host.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request

import pytest

from experiments.cli import APP_FILE

DESCRIPTION = "Heartland, no policy: the manufacturing region left to market forces"
SERVER_PATHS = ["/etc/passwd", "../../../../etc/passwd", str(APP_FILE)]


# ---------------------------------------------------------------------- without a browser


def test_session_refuses_a_path_as_scenario_and_loads_nothing(monkeypatch):
    from app_pages import session as session_module
    from app_pages import sharing

    s = session_module.Session()
    before = s.model
    loaded = []
    monkeypatch.setattr(sharing, "load_scenario", lambda ref: loaded.append(ref))
    for path in SERVER_PATHS:
        message = s.choose_scenario(path)
        assert message and "is not one of the scenarios offered" in message
    assert loaded == [] and s.model is before and s.scenario_key == "decline_bottom_up"


def test_guard_refuses_foreign_host_and_origin_and_lets_the_served_host_in():
    from app_pages.server import HostOriginGuard, allowed_hosts

    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    guard = HostOriginGuard(app, allowed_hosts("127.0.0.1"))
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "websocket.connect"}

    def call(kind, headers):
        scope = {"type": kind, "headers": [(k.encode(), v.encode()) for k, v in headers]}
        # in a thread of its own: Playwright's sync API may hold this thread's event loop
        worker = threading.Thread(target=asyncio.run, args=(guard(scope, receive, send),))
        worker.start()
        worker.join()

    call("http", [("host", "127.0.0.1:8765")])
    call("websocket", [("host", "localhost:8765"), ("origin", "http://localhost:8765")])
    assert calls == ["http", "websocket"]
    for headers in (
        [("host", "evil.example")],
        [("host", "127.0.0.1:8765"), ("origin", "http://evil.example")],
        [("host", "127.0.0.1:8765"), ("origin", "null")],
        [],
    ):
        sent.clear()
        call("http", headers)
        assert sent[0]["status"] == 403
        sent.clear()
        call("websocket", headers)
        assert sent == [{"type": "websocket.close", "code": 1008}]
    assert calls == ["http", "websocket"], "a refused request must never reach the app"
    assert allowed_hosts("10.0.0.5", ["box.lan"]) == {"10.0.0.5", "box.lan"}


# ---------------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_forged_websocket_message_with_a_server_path_loads_nothing(app_url, offline_page, shots):
    """The scenario choice is rewritten on the wire to server paths: inline refusal only."""
    from playwright.sync_api import expect

    page = offline_page.page
    forged = []

    def handler(ws):
        server = ws.connect_to_server()

        def to_server(message):
            if isinstance(message, str) and DESCRIPTION in message:
                message = message.replace(DESCRIPTION, SERVER_PATHS[len(forged) % 3])
                forged.append(message)
            server.send(message)

        ws.on_message(to_server)
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket("**/jupyter/api/kernels/**", handler)
    try:
        page.goto(app_url, wait_until="domcontentloaded")
        clock = page.locator(".mesoscape-clock")
        expect(clock).to_be_visible()
        applied = page.locator(".mesoscape-applied").inner_text()
        page.locator(".v-select").first.click()
        page.get_by_text(DESCRIPTION, exact=True).click()
        expect(page.locator(".mesoscape-message")).to_contain_text(
            "is not one of the scenarios offered"
        )
        assert forged, "the test did not rewrite any message"
        assert page.locator(".mesoscape-applied").inner_text() == applied
        body = page.locator("body").inner_text()
        for leak in ("Traceback", "root:", "/work/", "site-packages", "passwd:"):
            assert leak not in body
    finally:
        page.screenshot(path=str(shots / "forged-path.png"), full_page=True)


@pytest.mark.browser
def test_foreign_origin_websocket_and_foreign_host_page_are_refused(app_url):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    ws_url = app_url.replace("http://", "ws://") + "jupyter/api/kernels/k1/channels?session_id=s1"

    def handshake(origin: str) -> str:
        try:
            with connect(ws_url, origin=origin, open_timeout=20):
                return "open"
        except InvalidStatus as exc:
            return f"refused {exc.response.status_code}"

    assert handshake("http://evil.example") == "refused 403"
    assert handshake(app_url.rstrip("/")) == "open", "same origin must connect"

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(app_url, headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=20)
    assert refused.value.code == 403
    with opener.open(app_url, timeout=20) as ok:
        assert ok.status == 200
