"""Web pages of the residents app (mounted at /residents/)."""

from django.urls import path

from technopark.residents import views

app_name = "residents"

urlpatterns = [
    path("inquiries/new/", views.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/thanks/", views.InquiryThanksView.as_view(), name="inquiry-thanks"),
    path("inquiries/<int:pk>/", views.InquiryDetailView.as_view(), name="inquiry-detail"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("applications/new/", views.ApplicationCreateView.as_view(), name="application-create"),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application-detail"
    ),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document-download"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="report-edit"),
    path("reports/template.xlsx", views.ReportTemplateView.as_view(), name="report-template"),
    path("reports/upload/", views.ReportUploadView.as_view(), name="report-upload"),
    path("plotly.min.js", views.plotly_js_view, name="plotly-js"),
]
