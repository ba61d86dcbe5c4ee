"""Web pages of the finance app (mounted at /finance/): the project workspace."""

from django.urls import path

from technopark.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/validate/", views.project_validate, name="project-validate"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_update, name="project-update"),
    path("projects/<int:pk>/copy/", views.project_copy, name="project-copy"),
    path("projects/<int:pk>/delete/", views.project_delete, name="project-delete"),
    path("projects/<int:pk>/simulate/", views.project_simulate, name="project-simulate"),
    path("projects/<int:pk>/compare/", views.project_compare, name="project-compare"),
    path("projects/<int:pk>/xlsx/", views.project_xlsx, name="project-xlsx"),
]
