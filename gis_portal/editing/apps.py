from django.apps import AppConfig


class EditingConfig(AppConfig):
    """The officers' map editor: optimistic locking, history, change requests, announcements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "gis_portal.editing"
    label = "editing"
    verbose_name = "地图编辑与审批"
