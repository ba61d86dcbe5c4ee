from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "technopark.finance"
    label = "finance"
