from django.contrib.auth import views as auth_views
from django.urls import path

from technopark.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("map-data/", views.map_data, name="map-data"),
    path("compare/", views.compare, name="compare"),
    path("parks/new/", views.ParkCreateView.as_view(), name="park-create"),
    path("parks/<slug:park_id>/", views.park_detail, name="park-detail"),
    path("parks/<slug:park_id>/edit/", views.ParkUpdateView.as_view(), name="park-update"),
    path("parks/<slug:park_id>/delete/", views.ParkDeleteView.as_view(), name="park-delete"),
    path("parks/<slug:park_id>/sites/new/", views.SiteCreateView.as_view(), name="site-create"),
    path(
        "parks/<slug:park_id>/utilities/new/",
        views.UtilityCreateView.as_view(),
        name="utility-create",
    ),
    path("utilities/<int:pk>/edit/", views.UtilityUpdateView.as_view(), name="utility-update"),
    path("utilities/<int:pk>/delete/", views.UtilityDeleteView.as_view(), name="utility-delete"),
    path("sites/<slug:site_id>/", views.site_detail, name="site-detail"),
    path("sites/<slug:site_id>/edit/", views.SiteUpdateView.as_view(), name="site-update"),
    path("sites/<slug:site_id>/delete/", views.SiteDeleteView.as_view(), name="site-delete"),
    path("account/api-tokens/", views.ApiTokenView.as_view(), name="api-tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path(
        "account/sign-in/",
        auth_views.LoginView.as_view(
            template_name="web/sign_in.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("account/sign-out/", auth_views.LogoutView.as_view(next_page="web:home"), name="logout"),
]
