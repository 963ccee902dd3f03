"""`GET /docs`: Swagger UI over `/openapi.json`, from the assets the swagger-ui-bundle package
ships; nothing is fetched from a CDN."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Evently API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


async def _page(request: Request) -> Response:
    return HTMLResponse(PAGE)


def docs_routes() -> list[Route | Mount]:
    return [
        Route("/docs", _page, methods=["GET"]),
        Mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets"),
    ]
