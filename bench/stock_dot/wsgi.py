"""WSGI entry point of the stock DOT project (``gunicorn bench.stock_dot.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock_dot.settings")
application = get_wsgi_application()
