from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "technopark.residents"
    label = "residents"
