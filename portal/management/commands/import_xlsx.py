"""manage.py import_xlsx <kind> <file>: create records from an Excel workbook, all or nothing.

Each row goes through the kind's own rules (serializer and services). If any row fails, nothing
is imported and every error is listed with its row number and column; the command then exits
with status 1. See portal/xlsx.py and, for projects, projects/resources.py.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import xlsx


class Command(BaseCommand):
    help = "Import records of a kind (projects, ...) from an .xlsx file; one bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to import, e.g. projects")
        parser.add_argument("file", help="the .xlsx file to read (the export's columns)")

    def handle(self, *args, kind, file, **options):
        try:
            exchange = xlsx.get(kind)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not Path(file).is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result = exchange.import_file(file)
        except xlsx.XlsxError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(result.errors)} error(s) in {file}.")
        self.stdout.write(self.style.SUCCESS(f"Imported {len(result.created)} {kind} from {file}."))
