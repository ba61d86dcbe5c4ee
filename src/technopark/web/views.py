"""Public pages. Objects reach a page only through core.permissions.restrict."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from technopark.core.permissions import Action, restrict
from technopark.parks.models import Park, Site


class HomeView(ListView):
    template_name = "web/home.html"
    context_object_name = "parks"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Park]:
        qs = Park.objects.select_related("country", "region", "operator")
        return restrict(qs, self.request.user, Action.VIEW)


class ParkDetailView(DetailView):
    template_name = "web/park_detail.html"
    slug_field = "park_id"
    slug_url_kwarg = "park_id"
    context_object_name = "park"

    def get_queryset(self) -> QuerySet[Park]:
        qs = Park.objects.select_related("country", "region", "operator")
        return restrict(qs, self.request.user, Action.VIEW)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["sites"] = restrict(self.object.sites.all(), self.request.user, Action.VIEW)
        ctx["utilities"] = self.object.utilities.all()
        return ctx


class SiteDetailView(DetailView):
    template_name = "web/site_detail.html"
    slug_field = "site_id"
    slug_url_kwarg = "site_id"
    context_object_name = "site"

    def get_queryset(self) -> QuerySet[Site]:
        qs = Site.objects.select_related("park", "park__country")
        return restrict(qs, self.request.user, Action.VIEW)
