from django.apps import AppConfig


class PlacenamesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placenames"
    verbose_name = "地名"

    def ready(self) -> None:
        from gis_portal.printing.romanizers import romanizer_register
        from gis_portal.stored_files import files_follow_rows

        from .models import PlaceNameMedia
        from .romanize import romanize

        files_follow_rows(PlaceNameMedia)
        # Printed sheets label areas (which store no spelling) by the place-name rules.
        romanizer_register(lambda name: romanize(name).pinyin)
