from django.apps import AppConfig
from django.core import checks


class GisPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal"
    verbose_name = "门户"

    def ready(self):
        # Imported here: the module uses the auth models, which exist once apps are ready.
        from gis_portal.demo_accounts import demo_accounts_check

        checks.register(demo_accounts_check, checks.Tags.security, checks.Tags.database)
