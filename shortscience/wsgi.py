"""The WSGI application (gunicorn shortscience.wsgi), loaded once per worker.

After start-up every object made so far (settings, models, the URLconf and every view module it imports, which
the first request would otherwise load) is moved out of the garbage collector's reach with gc.freeze(): they live
as long as the worker, and a full collection would scan them all again. Measured on /search (bench/search_bench.py
--no-gc-freeze compares), those scans were the 100-200 ms pauses that set the p99. WSGI_GC_FREEZE=0 leaves it out.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")

application = get_wsgi_application()

if os.environ.get("WSGI_GC_FREEZE", "1") != "0":
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views now, before the freeze)
    gc.collect()
    gc.freeze()
