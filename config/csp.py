"""The Content Security Policy (settings.CONTENT_SECURITY_POLICY) on the HTML pages.

django-csp's middleware, limited to ``text/html`` answers: the policy governs what a page may
load and run. Other answers (PDFs, uploaded files, JSON, the Swagger UI start-up script) get
no page policy: Chrome applies a PDF's policy to its own viewer, whose inline styles and
plugin the policy would block; the file answers carry headers of their own.
"""

from csp.middleware import CSPMiddleware


class HtmlContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
