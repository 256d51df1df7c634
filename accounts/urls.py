from django.urls import path

from . import views

# Before django.contrib.auth.urls (config/urls.py): these two replace Django's own views.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("2fa/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("2fa/instellen/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
]
