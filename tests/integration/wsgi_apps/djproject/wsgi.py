"""WSGI entry of the test Django project, behind wsgiref.validate.validator."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from checks import validated  # noqa: E402

application = validated(get_wsgi_application())
