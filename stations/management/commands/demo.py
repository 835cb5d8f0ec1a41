from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "yizhan-demo"
DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "One command for a local demo: migrate, load the demo data (seed_demo), create or "
        "reset the demo superuser 'demo' with a known password, print the login, and run "
        "the development server on 127.0.0.1:8000. Refuses to run unless DEBUG is on, "
        "because it creates an administrator whose password is public."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=DEFAULT_ADDRPORT,
                            help=f"Address and port for the server (default {DEFAULT_ADDRPORT}).")
        parser.add_argument("--no-serve", action="store_true",
                            help="Prepare the database and the account, but do not start the server.")

    def handle(self, *args, addrport, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError(_("The demo runs only with DEBUG=1: it creates an admin account with a public password."))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Database migrated."))
        call_command("seed_demo", stdout=self.stdout)
        create_demo_superuser()
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        # The labels stay English on purpose: people copy them from logs and READMEs.
        self.stdout.write(self.style.SUCCESS(
            "\n  " + _("Demo admin login (demo data only — never use on a real server):") + "\n"
            f"    username: {DEMO_USERNAME}\n"
            f"    password: {DEMO_PASSWORD}\n"
            f"    portal:   http://{host}/\n"
            f"    admin:    http://{host}/admin/\n"
        ))
        if not no_serve:
            # No autoreloader: it would run this whole command again in a child process.
            call_command("runserver", addrport, use_reloader=False)


@transaction.atomic
def create_demo_superuser():
    """Create the demo superuser, or reset its password and rights if it exists."""
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@demo.yizhan.example"})
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user
