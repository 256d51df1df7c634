"""API routes for sessions, questions and the public tender information."""

urlpatterns = []
