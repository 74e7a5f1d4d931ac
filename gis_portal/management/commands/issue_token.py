from django.core.management.base import BaseCommand, CommandError

from gis_portal.accounts import token_issue
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = (
        "Issue a new API key for USER and print it, once: only its digest is kept, so it "
        "cannot be shown again. Use it as 'Authorization: Token <key>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--ttl-days",
            type=int,
            default=None,
            help="days until the key expires (default: settings.API_TOKEN_TTL_DAYS)",
        )
        parser.add_argument("--replace", action="store_true", help="revoke the user's other keys")

    def handle(self, *args, username: str, ttl_days: int | None, replace: bool, **options):
        try:
            self.stdout.write(token_issue(username=username, ttl_days=ttl_days, replace=replace))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
