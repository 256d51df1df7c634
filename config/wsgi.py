import os

from django.core.wsgi import get_wsgi_application

from .startup import refuse_serious_security_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
refuse_serious_security_errors()
