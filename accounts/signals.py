from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import session_mark_login
from .permissions import PROVIDER_TWO_FACTOR_KEY, is_provider, provider_two_factor_at_login
from .tokens import api_tokens_revoke_all


@receiver(user_logged_in, dispatch_uid="accounts.session_mark_login")
def start_session_clock(sender, request, user, **kwargs):
    """Every sign-in starts the idle and maximum session time (``SessionExpiryMiddleware``)."""
    if request is not None and hasattr(request, "session"):
        session_mark_login(request.session)
        if is_provider(user) and provider_two_factor_at_login(user):
            request.session[PROVIDER_TWO_FACTOR_KEY] = True


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


@receiver(
    post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.password_revokes_tokens"
)
def revoke_api_tokens_on_password_change(sender, instance, created, raw=False, **kwargs):
    """A new password (change, reset, admin, ``changepassword``) revokes every API token of the
    user. ``_password`` is Django's own mark of a new password in this save
    (``AbstractBaseUser.save`` tells the password validators the same way); a hash upgrade at
    sign-in clears it first, so it revokes nothing."""
    if created or raw or getattr(instance, "_password", None) is None:
        return
    api_tokens_revoke_all(user=instance, reason="password_changed")
