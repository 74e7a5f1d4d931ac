from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "boundaries"
    verbose_name = "行政区划与界线"
