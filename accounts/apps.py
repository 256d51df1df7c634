from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts en rollen")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        # The role groups exist after every migrate and every flush (a flush empties
        # auth_group; its post_migrate signal brings them back, as for permissions).
        post_migrate.connect(
            signals.ensure_role_groups, sender=self, dispatch_uid="accounts.ensure_role_groups"
        )
