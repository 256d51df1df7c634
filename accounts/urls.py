from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("2fa/instellen/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
]
