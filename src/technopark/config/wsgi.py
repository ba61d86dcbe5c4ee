"""WSGI entry point (granian technopark.config.wsgi:application, started by `technopark serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.config.settings")
application = get_wsgi_application()
