from django.core.management.base import BaseCommand, CommandError

from gis_portal.accounts import token_revoke
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "Revoke every API key of USER (the administrator revokes single keys in the admin)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            count = token_revoke(username=username)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已吊销 {username} 的 {count} 个令牌")
