"""Web pages of the siting app (mounted at /siting/)."""

from django.urls import path  # noqa: F401

app_name = "siting"

urlpatterns: list = []
