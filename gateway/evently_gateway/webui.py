"""`GET /`: the web UI — static HTML, CSS and JavaScript modules from `web/`, with no build step
and nothing fetched from another origin (the Content-Security-Policy says so to the browser)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

WEB_ROOT = Path(__file__).parent / "web"

# Everything the pages load comes from this origin; scripts only from files (no inline code), so
# text that users typed can never run as script even if a page mishandled it.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class _Secured:
    """Adds the security headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_secured(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))  # type: ignore[call-overload]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_secured)  # type: ignore[arg-type]


async def _index(request: Request) -> Response:
    # no-cache: the shell is tiny and must pick up new module versions after a deploy.
    return FileResponse(WEB_ROOT / "index.html", headers={**SECURITY_HEADERS, "cache-control": "no-cache"})


def web_routes() -> list[Route | Mount]:
    return [
        Route("/", _index, methods=["GET"]),
        Mount("/ui", _Secured(StaticFiles(directory=WEB_ROOT)), name="web-ui"),
    ]
