"""Web pages of the incentives app (mounted at /incentives/)."""

from django.urls import path  # noqa: F401

app_name = "incentives"

urlpatterns: list = []
