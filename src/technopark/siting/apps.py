from django.apps import AppConfig


class SitingConfig(AppConfig):
    name = "technopark.siting"
    label = "siting"
