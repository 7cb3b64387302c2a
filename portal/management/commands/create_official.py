"""manage.py create_official <username> --email ... --permissions review,publish_risk"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal import services
from portal.choices import AgencyPermission, OrganizationKind
from portal.models import Organization


class Command(BaseCommand):
    help = "Create an official (a member of an agency) with agency permissions."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--permissions",
            default="",
            help=f"comma-separated, from: {', '.join(AgencyPermission.values)}",
        )
        parser.add_argument(
            "--agency",
            help="the agency's name or credit code; optional when exactly one agency exists",
        )
        parser.add_argument("--password", help="set this password; without it the official is e-mailed a link")

    def handle(self, *args, username, email, permissions, agency, password, **options):
        perms = [p.strip() for p in permissions.split(",") if p.strip()]
        agencies = Organization.objects.filter(kind=OrganizationKind.AGENCY)
        if agency:
            found = agencies.filter(name=agency).first() or agencies.filter(credit_code=agency.upper()).first()
            if found is None:
                raise CommandError(f"No agency named {agency!r}. Create it in the admin first.")
        else:
            found_list = list(agencies[:2])
            if len(found_list) != 1:
                raise CommandError("Name the agency with --agency (there is not exactly one agency).")
            found = found_list[0]
        try:
            user = services.official_create(
                username=username, email=email, permissions=perms, agency=found, password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not password:
            services.send_set_password_email(user=user, organization=found)
        self.stdout.write(
            self.style.SUCCESS(f"Official {user.username} created in {found.name} with: {', '.join(perms) or '-'}")
        )
