from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import session_mark_login


@receiver(user_logged_in, dispatch_uid="accounts.session_mark_login")
def start_session_clock(sender, request, user, **kwargs):
    """Every sign-in starts the idle and maximum session time (``SessionExpiryMiddleware``)."""
    if request is not None and hasattr(request, "session"):
        session_mark_login(request.session)


def ensure_role_groups(sender, using="default", apps=None, **kwargs):
    """Create the group of every role that is missing (the ``0001_roles`` migration makes them
    first; this keeps them after a ``flush``, which empties every table)."""
    from .roles import ROLES

    try:
        Group = (apps or global_apps).get_model("auth", "Group")
    except LookupError:  # migrated back to before auth
        return
    existing = set(Group.objects.using(using).values_list("name", flat=True))
    Group.objects.using(using).bulk_create(
        [Group(name=name) for name in ROLES if name not in existing]
    )
