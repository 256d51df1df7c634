import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with a serious security error (e.g. the
# published development master key, providers.E001).
_serious = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.is_serious()]
if _serious:
    raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg}" for m in _serious))
