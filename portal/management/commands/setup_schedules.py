"""manage.py setup_schedules: install the beat jobs that are missing (migrate does it too)."""

from django.core.management.base import BaseCommand

from portal.services.schedules import schedules_install


class Command(BaseCommand):
    help = "Create the periodic tasks of PORTAL_BEAT_SCHEDULE missing from the database; change none."

    def handle(self, *args, **options):
        created = schedules_install()
        self.stdout.write(f"Installed: {', '.join(created)}" if created else "Every scheduled job is installed.")
