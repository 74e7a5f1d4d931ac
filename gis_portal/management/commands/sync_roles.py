from django.core.management.base import BaseCommand

from gis_portal.accounts import roles_sync


class Command(BaseCommand):
    help = "Create the role groups and set their permissions (run after migrations)."

    def handle(self, *args, **options):
        for group, count in roles_sync().items():
            self.stdout.write(f"{group}: {count} permissions")
