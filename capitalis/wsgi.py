"""WSGI entry point (gunicorn capitalis.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capitalis.settings")
application = get_wsgi_application()
