from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import session_mark_login


@receiver(user_logged_in, dispatch_uid="accounts.session_mark_login")
def start_session_clock(sender, request, user, **kwargs):
    """Every sign-in starts the idle and maximum session time (``SessionExpiryMiddleware``)."""
    if request is not None and hasattr(request, "session"):
        session_mark_login(request.session)
