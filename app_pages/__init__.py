"""Pages and helpers of the browser app (``app.py``); no model logic lives here.

* ``view``: the one adapter that reads the model; ``charts`` / ``svg``: charts as SVG text.
* ``explore``, ``compare``, ``region``, ``workshop``: the pages; ``ui``: shared pieces.
* ``session``: one browser session's state; ``levers``: the levers from the schema.
* ``sharing``: links and uploads, checked; ``server``: serving with a Host/Origin guard.
"""

#: set by ``app_pages.server.serve``: the address the app is served at (for full links)
PUBLIC_URL_ENV = "MESOSCAPE_APP_URL"
