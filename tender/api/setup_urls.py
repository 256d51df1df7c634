"""API routes for the tender set-up."""

urlpatterns = []
