import json

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Passes CSV bytes through; an error (a dict) is written as JSON text, so a refused
    download still says why."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)
