from django.apps import AppConfig


class GisPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal"
    verbose_name = "门户"
