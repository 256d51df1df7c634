"""The PDF helper every generated document goes through."""

import threading

import pytest

from tender import pdf


def test_documents_load_nothing_from_the_network_and_share_the_font_configuration():
    # This thread's objects: shared with the other tests of this process that make PDFs.
    html_class, fonts, fetcher, _images = pdf._weasyprint(threading.get_ident())
    for url in ("https://example.org/style.css", "http://198.51.100.7/logo.png"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    assert pdf._weasyprint(threading.get_ident())[1] is fonts  # made once per process and thread
