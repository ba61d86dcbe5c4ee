"""Web pages: parse the request, call a selector or service, render.

Objects reach a page only through parks.selectors (which restrict every queryset with
core.permissions); writes go through core.services. An object the user may not see is a 404;
one they may see but not change is a 403.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from technopark.core import services
from technopark.core.models_tokens import ApiToken
from technopark.core.permissions import Action, can, can_add_any, enforce
from technopark.core.tokens import token_create, token_revoke
from technopark.incentives.selectors import regime_names
from technopark.parks import selectors, tables
from technopark.parks.forms import ApiTokenForm, ParkForm, SiteForm, UtilityForm
from technopark.parks.models import Park, ParkUtility, Site
from technopark.web.isic import isic_title

PARKS_PER_PAGE = 25
SITES_PER_PAGE = 50
# The site filters offered above a park's site table (the API and URL accept them all).
SITE_TABLE_FILTERS = ("status", "kind", "min_area_ha", "min_electricity")


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    if htmx is None:
        return False
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


# ---- catalogue -------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The map of every park beside a filterable list; filters live in the URL."""
    filterset = selectors.park_filter(request)
    parks = filterset.qs if filterset.is_valid() else Park.objects.none()
    page = Paginator(parks, PARKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "query": _query_without(request, "page"),
        "map_url": reverse("web:map-data"),
        "tile_url": getattr(settings, "TECHNOPARK_TILE_URL", ""),
    }
    template = "web/_park_results.html" if _wants_partial(request) else "web/home.html"
    return render(request, template, context)


def map_data(request: HttpRequest) -> JsonResponse:
    """Markers and clusters of the filtered parks for the map (same filters as the list)."""
    filterset = selectors.park_filter(request)
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors}, status=400)
    try:
        zoom = int(request.GET.get("zoom", 3))
        bbox = None
        if request.GET.get("bbox"):
            south, west, north, east = (float(v) for v in request.GET["bbox"].split(","))
            bbox = (south, west, north, east)
    except ValueError:
        return JsonResponse({"errors": {"bbox": ["Give zoom and bbox as numbers."]}}, status=400)
    data = selectors.map_data(filterset.qs, zoom=zoom, bbox=bbox, language=get_language() or "en")
    return JsonResponse(data.as_dict())


def park_detail(request: HttpRequest, park_id: str) -> HttpResponse:
    user = request.user
    park = selectors.park_detail(user=user, park_id=park_id)
    site_filter = selectors.site_filter(
        request, queryset=selectors.site_queryset(user).filter(park=park)
    )
    sites = site_filter.qs if site_filter.is_valid() else Site.objects.none()
    site_page = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    site_context = {
        "park": park,
        "site_filter": site_filter,
        "site_page": site_page,
        "site_header": tables.header(tables.SITE_COLUMNS, tables.current_ordering(request.GET)),
        "site_filter_fields": [site_filter.form[name] for name in SITE_TABLE_FILTERS],
        "query": _query_without(request, "page", "ordering"),
        "can_add_site": can(user, Action.ADD, Site(park=park)),
    }
    if _wants_partial(request) and request.htmx.target == "site-table":  # type: ignore[attr-defined]
        return render(request, "web/_site_table.html", site_context)
    may_see_history = selectors.may_see_history(user, park)
    context = {
        **site_context,
        "industries": [(code, isic_title(code)) for code in park.industries or []],
        "regimes": regime_names(park.regime_ids or [], (get_language() or "en")[:2]),
        "residents": selectors.park_residents(user=user, park=park),
        "utilities": list(park.utilities.all()),
        "register_entries": list(park.register_entries.all()),
        "transport": selectors.park_transport(user=user, park=park),
        "can_change": can(user, Action.CHANGE, park),
        "can_delete": can(user, Action.DELETE, park),
        "can_add_utility": can(user, Action.ADD, ParkUtility(park=park)),
        "history": selectors.park_history(park=park) if may_see_history else None,
    }
    return render(request, "web/park_detail.html", context)


def site_detail(request: HttpRequest, site_id: str) -> HttpResponse:
    site = selectors.site_detail(user=request.user, site_id=site_id)
    context = {
        "site": site,
        "park": site.park,
        "utilities": list(site.park.utilities.all()),
        "can_change": can(request.user, Action.CHANGE, site),
        "can_delete": can(request.user, Action.DELETE, site),
    }
    return render(request, "web/site_detail.html", context)


def compare(request: HttpRequest) -> HttpResponse:
    """Up to five sites side by side: /compare/?sites=a,b,c."""
    # Both ?sites=a,b,c (a shareable link) and ?sites=a&sites=b (the site table's checkboxes).
    wanted = [s for value in request.GET.getlist("sites") for s in value.split(",") if s.strip()]
    sites = selectors.sites_for_comparison(user=request.user, site_ids=wanted)
    context = {
        "sites": sites,
        "asked": len(wanted),
        "max_sites": selectors.MAX_COMPARED_SITES,
        "rows": COMPARISON_ROWS,
    }
    return render(request, "web/compare.html", context)


# Rows of the comparison table: (model field, kind of value).
COMPARISON_ROWS: list[tuple[str, str]] = [
    ("kind", "choice"),
    ("status", "choice"),
    ("tenure", "choice"),
    ("area_ha", "number"),
    ("area_m2", "number"),
    ("sale_price", "money"),
    ("lease_per_year", "money"),
    ("electricity_mw", "number"),
    ("gas_m3h", "number"),
    ("water_m3d", "number"),
    ("wastewater_m3d", "number"),
    ("heat_gcalh", "number"),
    ("rail_siding", "bool"),
    ("hazard_class", "number"),
    ("ceiling_height_m", "number"),
    ("floor_load_t_m2", "number"),
    ("crane_capacity_t", "number"),
    ("dist_airport_km", "number"),
    ("dist_rail_km", "number"),
    ("dist_port_km", "number"),
    ("dist_highway_km", "number"),
    ("dist_border_km", "number"),
]


# ---- operators' editing screens ----------------------------------------------------------


class EditView(LoginRequiredMixin, View):
    """Create, change or delete one registry object through core.services.

    Subclasses name the model, the form and how to find the object; the permission checks
    are core.permissions': 404 when the object is not visible, 403 when it may not be
    changed (checked before the form is even shown).
    """

    login_url = reverse_lazy("web:login")
    model: type[models.Model]
    form_class: type[Any] | None = None
    template_name = "web/edit_form.html"
    action: Action = Action.CHANGE

    def get_object(self) -> models.Model:
        raise NotImplementedError

    def new_object(self) -> models.Model:
        raise NotImplementedError

    def form_kwargs(self, obj: models.Model) -> dict[str, Any]:
        return {"user": self.request.user}

    def success_url(self, obj: models.Model) -> str:
        return obj.get_absolute_url()  # type: ignore[attr-defined]

    def cancel_url(self, obj: models.Model) -> str:
        return self.success_url(obj) if obj.pk else reverse("web:home")

    def target(self) -> models.Model:
        obj = self.new_object() if self.action == Action.ADD else self.get_object()
        enforce(self.request.user, self.action, obj)
        return obj

    def render_form(self, obj: models.Model, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "object": obj,
            "action": self.action.value,
            "model_name": obj._meta.verbose_name,
            "cancel_url": self.cancel_url(obj),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        obj = self.target()
        if self.action == Action.DELETE:
            return self.render_form(obj, None)
        assert self.form_class is not None
        return self.render_form(
            obj, self.form_class(instance=copy.copy(obj), **self.form_kwargs(obj))
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        obj = self.target()
        if self.action == Action.DELETE:
            back = self.after_delete_url(obj)
            services.object_delete(obj=obj, user=request.user)
            messages.success(request, _("Deleted."))
            return redirect(back)
        assert self.form_class is not None
        form = self.form_class(request.POST, instance=copy.copy(obj), **self.form_kwargs(obj))
        if not form.is_valid():
            return self.render_form(obj, form, status=422)
        try:
            if self.action == Action.ADD:
                data = {**self.fixed_data(), **form.service_data()}
                saved = services.object_create(model=self.model, user=request.user, data=data)
            else:
                saved = services.object_update(obj=obj, user=request.user, data=form.service_data())
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.render_form(obj, form, status=422)
        except PermissionDenied:
            # The change would move the object out of the user's reach (e.g. another operator).
            form.add_error(
                None,
                _("You may not make this change: the object would no longer be yours to edit."),
            )
            return self.render_form(obj, form, status=403)
        messages.success(request, _("Saved."))
        return redirect(self.success_url(saved))

    def fixed_data(self) -> dict[str, Any]:
        return {}

    def after_delete_url(self, obj: models.Model) -> str:
        return reverse("web:home")


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ParkMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def park(self) -> Park:
        return selectors.get_visible(
            selectors.park_queryset(self.request.user), park_id=self.kwargs["park_id"]
        )


class ParkCreateView(EditView):
    model = Park
    form_class = ParkForm
    action = Action.ADD

    def target(self) -> models.Model:
        # The operator is chosen in the form; the service checks it is one of the user's.
        if not can_add_any(self.request.user, Park):
            raise PermissionDenied
        return Park()


class ParkUpdateView(ParkMixin, EditView):
    model = Park
    form_class = ParkForm

    def get_object(self) -> models.Model:
        return self.park()


class ParkDeleteView(ParkMixin, EditView):
    model = Park
    action = Action.DELETE

    def get_object(self) -> models.Model:
        return self.park()


class SiteCreateView(ParkMixin, EditView):
    model = Site
    form_class = SiteForm
    action = Action.ADD

    def new_object(self) -> models.Model:
        return Site(park=self.park())

    def form_kwargs(self, obj: models.Model) -> dict[str, Any]:
        return {**super().form_kwargs(obj), "park": obj.park}  # type: ignore[attr-defined]

    def fixed_data(self) -> dict[str, Any]:
        return {"park": self.park()}

    def cancel_url(self, obj: models.Model) -> str:
        return obj.park.get_absolute_url()  # type: ignore[attr-defined]


class SiteMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_object(self) -> models.Model:
        return selectors.get_visible(
            selectors.site_queryset(self.request.user), site_id=self.kwargs["site_id"]
        )


class SiteUpdateView(SiteMixin, EditView):
    model = Site
    form_class = SiteForm


class SiteDeleteView(SiteMixin, EditView):
    model = Site
    action = Action.DELETE

    def after_delete_url(self, obj: models.Model) -> str:
        return obj.park.get_absolute_url()  # type: ignore[attr-defined]


class UtilityMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_object(self) -> models.Model:
        return selectors.get_visible(
            selectors.utility_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def success_url(self, obj: models.Model) -> str:
        return obj.park.get_absolute_url() + "#utilities"  # type: ignore[attr-defined]

    def cancel_url(self, obj: models.Model) -> str:
        return obj.park.get_absolute_url()  # type: ignore[attr-defined]


class UtilityCreateView(UtilityMixin, ParkMixin, EditView):
    model = ParkUtility
    form_class = UtilityForm
    action = Action.ADD

    def new_object(self) -> models.Model:
        return ParkUtility(park=self.park())

    def form_kwargs(self, obj: models.Model) -> dict[str, Any]:
        return {**super().form_kwargs(obj), "park": obj.park}  # type: ignore[attr-defined]

    def fixed_data(self) -> dict[str, Any]:
        return {"park": self.park()}


class UtilityUpdateView(UtilityMixin, EditView):
    model = ParkUtility
    form_class = UtilityForm


class UtilityDeleteView(UtilityMixin, EditView):
    model = ParkUtility
    action = Action.DELETE

    def after_delete_url(self, obj: models.Model) -> str:
        return obj.park.get_absolute_url()  # type: ignore[attr-defined]


# ---- personal API tokens -----------------------------------------------------------------


class ApiTokenView(LoginRequiredMixin, View):
    """The user's API tokens: create one (shown once) or revoke one."""

    login_url = reverse_lazy("web:login")

    def render_page(
        self, form: ApiTokenForm, new_token: str = "", status: int = 200
    ) -> HttpResponse:
        tokens = ApiToken.objects.filter(user=self.request.user).order_by("-created")  # type: ignore[misc]
        context = {"form": form, "tokens": tokens, "new_token": new_token}
        return render(self.request, "web/api_tokens.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(ApiTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=422)
        _token, raw = token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        # The token is shown in this response only; it is not stored anywhere readable.
        response = self.render_page(ApiTokenForm(), new_token=raw)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    login_url = reverse_lazy("web:login")

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        token = selectors.get_visible(ApiToken.objects.filter(user=request.user), pk=pk)  # type: ignore[misc]
        token_revoke(token=token)
        messages.success(request, _("The token is revoked."))
        return redirect("web:api-tokens")
