from .portal_support import open_tender, org_client  # noqa: F401
