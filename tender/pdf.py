"""PDF rendering: one helper for every document the product generates."""

import threading
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string

#: The only URL schemes a document may load resources from: the project's own files
#: (``base_url`` is the project directory) and inline data. No network: a template that
#: points at a remote stylesheet, font or image renders without it instead of waiting for it.
LOCAL_SCHEMES = ("file", "data")


@cache
def _weasyprint(thread: int):
    """WeasyPrint's objects that are the same for every document, made once per process and
    thread (pango's objects are not shared between threads): the font configuration
    (fontconfig's scan of the system fonts), the fetcher without network and the image
    cache. WeasyPrint is imported here, not at module level: it loads pango
    through cffi, which only the processes that make PDFs need."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    return HTML, FontConfiguration(), URLFetcher(allowed_protocols=LOCAL_SCHEMES), {}


def render_to_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF with WeasyPrint. ``base_url`` lets templates refer to
    static files; remote resources are refused (``LOCAL_SCHEMES``)."""
    html_class, font_config, fetcher, images = _weasyprint(threading.get_ident())
    html = render_to_string(template_name, context)
    document = html_class(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return document.write_pdf(font_config=font_config, cache=images)
