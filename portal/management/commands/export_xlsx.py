"""manage.py export_xlsx <kind> <file>: every record of a kind as an Excel workbook (portal/xlsx.py).

Run by the operator on the server, it exports everything, contract values included; the API's
export (e.g. GET /api/v1/projects/export/) gives each user only what they may see.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import xlsx


class Command(BaseCommand):
    help = "Export every record of a kind (projects, ...) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to export, e.g. projects")
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, kind, file, **options):
        try:
            exchange = xlsx.get(kind)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        content = exchange.export()
        try:
            Path(file).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Exported {kind} to {file} ({len(content)} bytes)."))
