"""PDF rendering: one helper for every document the product generates."""

from django.conf import settings
from django.template.loader import render_to_string


def render_to_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF with WeasyPrint.

    WeasyPrint is imported here, not at module level: it loads pango through cffi, which only
    the processes that make PDFs need. ``base_url`` lets templates refer to static files.
    """
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
