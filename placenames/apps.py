from django.apps import AppConfig


class PlacenamesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placenames"
    verbose_name = "地名"
