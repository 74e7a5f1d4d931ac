from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "boundaries"
    verbose_name = "行政区划与界线"

    def ready(self) -> None:
        from gis_portal.stored_files import files_follow_rows

        from .models import BoundaryDocument, BoundaryMarker

        files_follow_rows(BoundaryDocument, BoundaryMarker)
