from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

# Apps whose admin module is not loaded (django-leaflet's imports GeoDjango, which needs GDAL).
ADMIN_SKIP = {"leaflet"}


class CoreConfig(AppConfig):
    name = "technopark.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        for config in apps.get_app_configs():
            if config.label not in ADMIN_SKIP and module_has_submodule(config.module, "admin"):
                import_module(f"{config.name}.admin")
