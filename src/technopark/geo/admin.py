from django.contrib import admin

from technopark.core.admin import RegistryAdmin
from technopark.geo.models import Country, Region


@admin.register(Country)
class CountryAdmin(RegistryAdmin):
    list_display = ["code", "name", "name_ru", "name_uz", "currency"]
    search_fields = ["code", "name", "name_ru", "name_uz"]


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    list_display = ["name", "name_ru", "country"]
    list_filter = ["country"]
    search_fields = ["name", "name_ru", "name_uz"]
