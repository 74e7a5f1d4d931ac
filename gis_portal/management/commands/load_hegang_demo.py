from django.core.management.base import BaseCommand

from gis_portal.demo import demo_load, demo_steps


class Command(BaseCommand):
    help = "Load the Hegang demo data (real public data plus generated demo records); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even if unchanged")
        parser.add_argument(
            "--only", nargs="+", choices=[s.name for s in demo_steps()], help="run only these steps"
        )

    def handle(self, *args, force: bool, only: list[str] | None, **options):
        for result in demo_load(force=force, only=only):
            state = "unchanged, skipped" if result.skipped else "loaded"
            self.stdout.write(f"demo {result.name}: {state} {result.summary}")
