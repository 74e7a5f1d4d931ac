"""WSGI entry point (served by gis_portal.serve; Django's runserver and test server too)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.prod")
application = get_wsgi_application()
