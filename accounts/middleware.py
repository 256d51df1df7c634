from django.conf import settings
from django.middleware.locale import LocaleMiddleware


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose another language with the language switch.

    Django would follow the browser's Accept-Language header; a Dutch municipal product shows
    Dutch to everyone by default, and English only to whoever picks it (the choice is kept in the
    language cookie).
    """

    def process_request(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
