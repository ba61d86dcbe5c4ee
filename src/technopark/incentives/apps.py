from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "technopark.incentives"
    label = "incentives"
