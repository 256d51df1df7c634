from rest_framework.renderers import BaseRenderer

from evaluation.api.renderers import CSVRenderer

from ..exports import XLSX_CONTENT_TYPE

__all__ = ["CSVRenderer", "XLSXRenderer"]


class XLSXRenderer(BaseRenderer):
    """Passes the workbook bytes through; an error (a dict) is written as JSON text."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        import json

        return json.dumps(data, ensure_ascii=False).encode("utf-8")
