from django.apps import AppConfig


class EditingConfig(AppConfig):
    """The officers' map editor: optimistic locking, history, change requests, announcements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal.editing"
    label = "editing"
    verbose_name = "地图编辑与审批"

    def ready(self) -> None:
        from gis_portal.stored_files import files_follow_rows

        from .models import ChangeDocument

        files_follow_rows(ChangeDocument)
