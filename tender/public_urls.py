"""Public tender site, sessions calendar and questions (no login for the public pages)."""

urlpatterns = []
