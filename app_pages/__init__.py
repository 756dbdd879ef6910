"""Pages and drawing helpers of the browser app (``app.py``); no model logic lives here.

* ``explore``: pick a scenario and a seed, step the region, watch its map and employment.
* ``figures``: the matplotlib figures the pages show (PNG images, nothing from the internet).
"""
