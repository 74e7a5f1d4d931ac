from django.apps import AppConfig
from django.core import checks

from gis_portal.gdal_safety import lock_down_gdal
from gis_portal.importing.spec import autodiscover as import_layers_autodiscover


class GisPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal"
    verbose_name = "门户"

    def ready(self) -> None:
        # Before any request or command opens an upload: GDAL must not pick a driver
        # (VRT) or a file system (/vsicurl/) that reads other files or URLs.
        lock_down_gdal()
        # Every app declares its bulk import/export layers in its own bulk_io.py.
        import_layers_autodiscover()
        # Every app declares its layers (catalogue and editing facet) in its own layers.py.
        # Imported here: the registry reads the accounts, which need the auth models.
        from gis_portal.catalogue.registry import catalogue_autodiscover

        catalogue_autodiscover()
        # Imported here: the module uses the auth models, which exist once apps are ready.
        from gis_portal.demo_accounts import demo_accounts_check

        checks.register(demo_accounts_check, checks.Tags.security, checks.Tags.database)
