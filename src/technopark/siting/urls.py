"""Web pages of the siting app (mounted at /site-finder/)."""

from django.urls import path, re_path

from technopark.siting import views

app_name = "siting"

urlpatterns = [
    path("", views.find, name="find"),
    path("compare/", views.compare, name="compare"),
    re_path(r"^report\.(?P<fmt>xlsx|pdf)$", views.report, name="report"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/new/", views.save_search, name="save"),
    path("saved/<int:pk>/", views.saved_run, name="saved-run"),
    path("saved/<int:pk>/delete/", views.saved_delete, name="saved-delete"),
]
