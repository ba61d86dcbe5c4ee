"""WSGI entry point (gunicorn technopark.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.config.settings")
application = get_wsgi_application()
