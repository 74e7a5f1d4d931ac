from django.apps import AppConfig


class AddressesConfig(AppConfig):
    """Streets, street signs and door plates: a sub-app of placenames with its own migrations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "placenames.addresses"
    label = "addresses"
    verbose_name = "街路巷与门牌"
