from django.apps import AppConfig


class ParksConfig(AppConfig):
    name = "technopark.parks"
    label = "parks"
    verbose_name = "Park registry"
