"""The machinery of the generated URL tests (``test_isolation``, ``test_sealed_leaks``): every
named URL pattern of the project, and what of a list of markers a response shows."""

import io
import zipfile

from django.urls import URLResolver, get_resolver


def url_patterns(*, prefixes: tuple[str, ...] = ("",), with_parameters: bool | None = None):
    """``{name: (route, parameter names)}`` of every named pattern whose route starts with one
    of ``prefixes``, walked recursively with namespaces; ``with_parameters`` True (False) keeps
    only those that take (take no) path parameters, None keeps all."""
    found = {}

    def params(pattern) -> set[str]:
        return set(pattern.regex.groupindex)

    def walk(patterns, prefix="", namespace=None, inherited=frozenset()):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            names = inherited | params(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, route, ns, names)
            elif (
                entry.name
                and (with_parameters is None or bool(names) == with_parameters)
                and route.startswith(prefixes)
            ):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found[name] = (route, names)

    walk(get_resolver().url_patterns)
    return found


def response_text(response) -> str:
    """The body as text (a streamed body is read; undecodable bytes replaced); a zip file
    (xlsx, docx) as the text of all its members."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"\n".join(archive.read(name) for name in archive.namelist())
    return raw.decode("utf-8", "replace")


def leaks(response, markers, *, body: str | None = None) -> list[str]:
    """The markers in the response; a marker that is part of the requested URL itself (an
    error page may repeat the path) does not count. (PDF text is mostly compressed: for PDFs
    the status code is the real check.)"""
    markers = [marker for marker in markers if marker not in response.request["PATH_INFO"]]
    body = response_text(response) if body is None else body
    return [marker for marker in markers if marker and marker in body]
