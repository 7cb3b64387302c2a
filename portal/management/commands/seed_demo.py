"""manage.py seed_demo: idempotent demo data and the demo accounts listed in the README.

Each part adds its own demo data in `<app>/demo.py` with a `seed(*, accounts, stdout)` function;
this command runs the portal's first, then every installed part's, in INSTALLED_APPS order.
"""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load demo data and the demo accounts (password portal-demo-2026). Refuses with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off (it creates known passwords). Use --force.")
        from portal import demo

        with transaction.atomic():
            accounts = demo.seed(stdout=self.stdout)
            for config in apps.get_app_configs():
                if config.name == "portal":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(accounts=accounts, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Accounts: " + ", ".join(accounts.users)))
