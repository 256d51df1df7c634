"""Tender set-up screens (create and edit tenders, lots, segments, ...)."""

urlpatterns = []
