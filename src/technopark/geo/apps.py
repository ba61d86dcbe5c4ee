from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "technopark.geo"
    label = "geo"
    verbose_name = "Geography"
