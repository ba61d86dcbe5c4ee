from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "technopark.web"
    label = "web"
    verbose_name = "Web pages"
