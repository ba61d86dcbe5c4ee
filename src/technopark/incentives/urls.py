"""Web pages of the incentives app (mounted at /incentives/)."""

from django.urls import path

from technopark.incentives import views

app_name = "incentives"

urlpatterns = [
    path("parks/<slug:park_id>/calculator/", views.calculator, name="calculator"),
    path("plotly.js", views.plotly_js, name="plotly-js"),
]
