from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from technopark.config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incentives/", include("technopark.incentives.urls")),
    path("finance/", include("technopark.finance.urls")),
    path("site-finder/", include("technopark.siting.urls")),
    path("residents/", include("technopark.residents.urls")),
    path("", include("technopark.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
