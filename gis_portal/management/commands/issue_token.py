from django.core.management.base import BaseCommand, CommandError

from gis_portal.accounts import token_issue
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "Print the API token of USER (created if missing), for 'Authorization: Token …'."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            self.stdout.write(token_issue(username=username))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
