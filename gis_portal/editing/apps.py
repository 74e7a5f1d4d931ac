from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class EditingConfig(AppConfig):
    """The officers' map editor: optimistic locking, history, change requests, announcements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal.editing"
    label = "editing"
    verbose_name = "地图编辑与审批"

    def ready(self) -> None:
        # Each app declares its editable layers in its own layers.py.
        autodiscover_modules("layers")
