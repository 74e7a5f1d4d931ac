from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gis_portal.accounts import token_issue
from gis_portal.authentication import SCOPES
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
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help="what the key may do beyond the account's role (repeatable): "
            + "; ".join(f"{k} = {v}" for k, v in SCOPES.items()),
        )

    def handle(
        self,
        *args,
        username: str,
        ttl_days: int | None,
        replace: bool,
        scopes: list[str],
        **options,
    ):
        try:
            key = token_issue(
                username=username, ttl_days=ttl_days, replace=replace, scopes=tuple(scopes)
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        # The key alone on stdout, for a script to capture; the note on stderr.
        self.stdout.write(key)
        days = settings.API_TOKEN_TTL_DAYS if ttl_days is None else ttl_days
        self.stderr.write(f"{username} 的新令牌，{days} 天后失效；此后无法再次显示，请妥善保存。")
