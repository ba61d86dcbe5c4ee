from django.urls import path

from technopark.web import views

app_name = "web"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("parks/<slug:park_id>/", views.ParkDetailView.as_view(), name="park-detail"),
    path("sites/<slug:site_id>/", views.SiteDetailView.as_view(), name="site-detail"),
]
