"""``manage.py demo``: set up the example site and its sample client (``make demo`` then runs both).

Idempotent; every run:

1. applies any pending migrations;
2. makes sure the superuser ``admin`` and the demo users ``alice`` and ``bob``
   exist (a new user's generated password is printed only when it is created,
   or with ``--reset-passwords``);
3. switches the OAuth 2.0 service provider on;
4. seeds what every feature needs to be seen: the organization "Acme" owned
   by alice with bob as a member, third-party restrictions on, and a private
   and a public project (so an unapproved app visibly sees less); and a
   trusted app, "Example status page", whose sign-in skips the consent page;
5. registers the sample third-party client once (confidential, not trusted, so
   the consent page shows) and keeps its credentials in
   ``<VAR_DIR>/sample_client.json`` (mode 600); when that file is missing or its
   secret no longer matches, a new secret is generated and the file rewritten.
   With ``--register-dynamically`` it registers nothing: it switches dynamic
   client registration (RFC 7591) on and writes a file without credentials,
   so the sample client registers itself when it starts;
6. with ``--oidc``, switches OpenID Connect on: generates a development signing
   key ``<VAR_DIR>/oidc.pem`` (mode 600) once, records its path in
   ``<VAR_DIR>/demo.env`` as ``OIDC_RSA_PRIVATE_KEY_FILE`` (where the example
   settings read it when the environment does not set it), and has the sample
   client sign in with ``openid profile email``. Without ``--oidc`` that record
   is removed (the key stays, so a later ``--oidc`` reuses it);
7. prints where to look: each page of the story, with the users' passwords when set.

Every change goes through ``mm_oauth.services``, so it is audited and signalled
like the same change made on the site. Running the two servers is the
``Procfile``'s job (``honcho start``, which ``make demo`` runs after this).
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from oauth2_provider.models import get_application_model

from example_project.site.models import Project
from mm_oauth.models import Organization
from mm_oauth.services.applications import regenerate_secret, register_application, update_application
from mm_oauth.services.organizations import add_member, create_organization, membership_of
from mm_oauth.services.provider_settings import update_provider_settings

HOST = "127.0.0.1"
SAMPLE_APP_NAME = "Sample third-party client"
SAMPLE_APP_DESCRIPTION = (
    "A separate web app (another company's, in real life) that lets you sign in with your Example site account."
)
CLIENT_FILE_NAME = "sample_client.json"
OIDC_KEY_FILE_NAME = "oidc.pem"
DEMO_ENV_FILE_NAME = "demo.env"  # example_project.settings.DEMO_ENV_FILE
TRUSTED_APP_NAME = "Example status page"
TRUSTED_APP_DESCRIPTION = (
    "The example site's own status page: a first-party app, trusted, so it never asks for consent."
)
ORG_NAME, ORG_SLUG = "Acme", "acme"
# One private and one public project: an app Acme has not approved sees only the public one.
ORG_PROJECTS = (("Acme roadmap", True), ("Acme handbook", False))
OIDC_SCOPE = "openid profile email read write"  # read/write: users/me and the board, as without OpenID Connect


@dataclass
class DemoUser:
    """A demo account, with its password when this run set one."""

    username: str
    password: str | None
    created: bool


@dataclass
class SampleClientSetup:
    """The registered sample client and where its credentials were written."""

    app: object
    config_path: Path
    created: bool
    secret_regenerated: bool


def generate_password():
    """Return a random password that is easy to copy (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def pending_migrations(database=DEFAULT_DB_ALIAS):
    """Return the migrations not yet applied to ``database``."""
    connection = connections[database]
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def ensure_user(username, *, reset_password=False, superuser=False, **fields):
    """Create ``username`` if missing; return a DemoUser with the password set now, if any."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        password = generate_password()
        if superuser:
            User.objects.create_superuser(username=username, password=password, **fields)
        else:
            User.objects.create_user(username=username, password=password, **fields)
        return DemoUser(username, password, created=True)
    if not reset_password:
        return DemoUser(username, None, created=False)
    password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return DemoUser(username, password, created=False)


def sample_client_urls(site_port, client_port):
    """Return (provider URL, client homepage, client callback URL) for these ports."""
    homepage = f"http://{HOST}:{client_port}/"
    return f"http://{HOST}:{site_port}", homepage, homepage + "callback"


def ensure_app(creator, *, name, description, homepage, callback_url, is_trusted):
    """Register the confidential app ``name`` once; return ``(app, secret, created)``, the secret only when created.

    On later runs only its homepage and callback follow this run's ports.
    """
    app = get_application_model().objects.filter(name=name).order_by("pk").first()
    if app is None:
        app, secret = register_application(
            creator=creator,
            name=name,
            description=description,
            homepage=homepage,
            callback_urls=[callback_url],
            client_type="confidential",
            is_trusted=is_trusted,
        )
        return app, secret, True
    update_application(app, homepage=homepage, callback_urls=[callback_url])  # other ports this time
    return app, None, False


def ensure_organization(owner, member):
    """Create Acme once (restrictions on), owned by ``owner``, with ``member`` a member, and its two projects."""
    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if org is None:
        org = create_organization(actor=owner, name=ORG_NAME, slug=ORG_SLUG)
    if membership_of(member, org) is None:
        add_member(actor=owner, org=org, user_id=member.pk, role="member")
    for name, private in ORG_PROJECTS:
        Project.objects.get_or_create(organization=org, name=name, defaults={"private": private, "created_by": owner})
    return org


def trusted_sign_in_url(site_url, app):
    """Return an authorization request for the trusted app: signed in, it lands on its callback without consent."""
    query = urlencode({"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]})
    return f"{site_url}{reverse('mm_oauth:authorize')}?{query}"


def read_client_file(path):
    """Return the JSON object in ``path``, or None if it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def secret_matches(app, data):
    """Return whether ``data`` holds ``app``'s client ID and a secret its stored hash verifies."""
    if not data or data.get("client_id") != app.client_id:
        return False
    secret = data.get("client_secret")
    return isinstance(secret, str) and bool(secret) and check_password(secret, app.client_secret)


def write_client_file(path, data):
    """Write ``data`` as JSON to ``path``, readable by its owner only (mode 600), atomically."""
    write_private_file(path, json.dumps(data, indent=2) + "\n")


def write_private_file(path, text):
    """Write ``text`` to ``path``, readable by its owner only (mode 600), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def ensure_oidc_key(var_dir):
    """Return ``(path, created)`` of the development signing key, generating a 2048-bit RSA key once."""
    path = Path(var_dir) / OIDC_KEY_FILE_NAME
    if path.exists():
        return path, False
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_private_file(path, pem.decode())
    return path, True


def record_oidc_key(var_dir, key_path):
    """Record ``key_path`` in ``<var_dir>/demo.env`` (None: remove the record, OpenID Connect off)."""
    env_path = Path(var_dir) / DEMO_ENV_FILE_NAME
    if key_path is None:
        env_path.unlink(missing_ok=True)
        return
    header = "# Written by manage.py demo --oidc; example_project/settings.py reads it.\n"
    write_private_file(env_path, f"{header}OIDC_RSA_PRIVATE_KEY_FILE={Path(key_path).resolve()}\n")


def setup_sample_client(creator, *, site_port, client_port, var_dir, scope=None):
    """Register the sample client once and keep ``<var_dir>/sample_client.json`` valid."""
    provider_url, homepage, callback_url = sample_client_urls(site_port, client_port)
    app, secret, created = ensure_app(
        creator,
        name=SAMPLE_APP_NAME,
        description=SAMPLE_APP_DESCRIPTION,
        homepage=homepage,
        callback_url=callback_url,
        is_trusted=False,  # so the consent page shows
    )
    config_path = Path(var_dir) / CLIENT_FILE_NAME
    existing = read_client_file(config_path)
    regenerated = False
    if secret is None:
        if secret_matches(app, existing):
            secret = existing["client_secret"]
        else:
            secret, regenerated = regenerate_secret(app), True
    data = {
        "provider_name": "Example site",
        "provider_url": provider_url,
        "client_id": app.client_id,
        "client_secret": secret,
        "redirect_uri": callback_url,
    }
    if scope:
        data["scope"] = scope
    if data != existing:
        write_client_file(config_path, data)
    return SampleClientSetup(app, config_path, created, regenerated)


def write_self_registering_config(*, site_port, client_port, var_dir, scope=None):
    """Write ``<var_dir>/sample_client.json`` without credentials: the client registers itself (RFC 7591)."""
    provider_url, _homepage, callback_url = sample_client_urls(site_port, client_port)
    config_path = Path(var_dir) / CLIENT_FILE_NAME
    data = {
        "provider_name": "Example site",
        "provider_url": provider_url,
        "redirect_uri": callback_url,
        "register_dynamically": True,
    }
    if scope:
        data["scope"] = scope
    write_client_file(config_path, data)
    return config_path


def display_path(path):
    """Return ``path`` relative to the current directory when it is inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = "Set up the demo: users, the provider switched on, the sample client registered (make demo runs both)."

    def add_arguments(self, parser):
        parser.add_argument("--site-port", type=int, default=8000, help="Port of the example site (default 8000).")
        parser.add_argument("--client-port", type=int, default=8001, help="Port of the sample client (default 8001).")
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Give admin, alice and bob new passwords and print them."
        )
        parser.add_argument(
            "--oidc",
            action="store_true",
            help="Switch OpenID Connect on with a development key in VAR_DIR; the sample client signs in with it.",
        )
        parser.add_argument(
            "--register-dynamically",
            action="store_true",
            help="Turn dynamic client registration (RFC 7591) on; the sample client registers itself at startup.",
        )

    def handle(self, *args, **options):
        site_port, client_port = options["site_port"], options["client_port"]
        if site_port == client_port:
            raise CommandError("--site-port and --client-port must differ.")
        var_dir = Path(settings.VAR_DIR)
        self.migrate()
        users = self.ensure_users(options["reset_passwords"])
        creator = user_named(users["admin"].username)
        update_provider_settings(actor=creator, enable_provider=True)
        self.stdout.write("Provider: the OAuth 2.0 service provider is on.")
        trusted_app = self.seed(creator, users, site_url=f"http://{HOST}:{site_port}")
        self.setup_oidc(var_dir, options["oidc"])
        scope = OIDC_SCOPE if options["oidc"] else None
        if options["register_dynamically"]:
            self.setup_self_registering_client(creator, site_port, client_port, var_dir, scope=scope)
        else:
            setup = setup_sample_client(
                creator, site_port=site_port, client_port=client_port, var_dir=var_dir, scope=scope
            )
            self.report_sample_client(setup)
        self.print_banner(site_port, client_port, users, trusted_app, oidc=options["oidc"])

    # Set-up steps

    def migrate(self):
        if not pending_migrations():
            self.stdout.write("Database: up to date.")
            return
        self.stdout.write("Database: applying migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database: migrated.")

    def setup_oidc(self, var_dir, enabled):
        if not enabled:
            record_oidc_key(var_dir, None)
            self.stdout.write("OpenID Connect: off (--oidc switches it on).")
            return
        key_path, created = ensure_oidc_key(var_dir)
        record_oidc_key(var_dir, key_path)
        state = "generated" if created else "kept"
        self.stdout.write(f"OpenID Connect: on; development signing key {state}: {display_path(key_path)} (mode 600)")
        self.stdout.write(f"  recorded in {display_path(Path(var_dir) / DEMO_ENV_FILE_NAME)} for the site's settings")
        if os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE"):
            self.stdout.write("  note: OIDC_RSA_PRIVATE_KEY_FILE is set in this shell; the site signs with that key")

    def ensure_users(self, reset_passwords):
        users = {
            "admin": ensure_user("admin", reset_password=reset_passwords, superuser=True, email="admin@example.com"),
            "alice": ensure_user(
                "alice",
                reset_password=reset_passwords,
                email="alice@example.com",
                first_name="Alice",
                last_name="Liddell",
            ),
            "bob": ensure_user(
                "bob", reset_password=reset_passwords, email="bob@example.com", first_name="Bob", last_name="Builder"
            ),
        }
        self.stdout.write("Users:")
        self.report_user(users["admin"], "superuser, for /admin/")
        self.report_user(users["alice"], "demo user, signs in to the sample client; owns Acme")
        self.report_user(users["bob"], "demo user, a member of Acme")
        return users

    def seed(self, creator, users, *, site_url):
        """Seed the organization and the trusted app; return the trusted app."""
        alice, bob = user_named(users["alice"].username), user_named(users["bob"].username)
        org = ensure_organization(alice, bob)
        state = "on" if org.restrict_third_party_apps else "off"
        self.stdout.write(f'Organization: "{org.name}" owned by alice, bob a member; third-party restrictions {state}')
        app, _secret, _created = ensure_app(  # its callback is a page of the site itself
            creator,
            name=TRUSTED_APP_NAME,
            description=TRUSTED_APP_DESCRIPTION,
            homepage=f"{site_url}/",
            callback_url=f"{site_url}/board/",
            is_trusted=True,
        )
        self.stdout.write(f'Trusted app: "{app.name}" (signs in without the consent page); client ID {app.client_id}')
        return app

    def report_user(self, user, role):
        label = f"  {user.username:<6} ({role})"
        if user.password is None:
            self.stdout.write(f"{label}: exists; password unchanged (--reset-passwords sets a new one)")
            return
        state = "created" if user.created else "password reset"
        self.stdout.write(f"{label}: {state}, password {user.password}  (shown only now)")

    def setup_self_registering_client(self, creator, site_port, client_port, var_dir, scope=None):
        update_provider_settings(actor=creator, enable_dynamic_client_registration=True)
        self.stdout.write("Provider: dynamic client registration (RFC 7591) is on.")
        config_path = write_self_registering_config(
            site_port=site_port, client_port=client_port, var_dir=var_dir, scope=scope
        )
        self.stdout.write("Sample client: registers itself when it starts (no credentials stored)")
        self.stdout.write(f"  configuration: {display_path(config_path)} (mode 600)")

    def report_sample_client(self, setup):
        if setup.created:
            action = "registered"
        elif setup.secret_regenerated:
            action = "already registered; new secret generated (the credentials file was missing or stale)"
        else:
            action = "already registered"
        self.stdout.write(f'Sample client: "{SAMPLE_APP_NAME}" {action}; client ID {setup.app.client_id}')
        self.stdout.write(f"  credentials: {display_path(setup.config_path)} (mode 600)")

    def print_banner(self, site_port, client_port, users, trusted_app, oidc=False):
        site = f"http://{HOST}:{site_port}"
        rule = "=" * 78
        lines = [
            rule,
            "  mm_oauth demo",
            f"  Example site (the OAuth 2.0 provider): {site}/",
            f"  Sample third-party client:             http://{HOST}:{client_port}/",
            "",
            "  Users:",
            *(f"    {credentials(user)}" for user in users.values()),
            "",
            "  Where to look:",
            *(f"    {url}\n        {what}" for url, what in where_to_look(site, client_port, trusted_app)),
            *(
                ["", "  OpenID Connect: the sample client asks for openid profile email and verifies the ID token."]
                if oidc
                else []
            ),
            "",
            "  `make demo` starts both now (the Procfile, through honcho); Ctrl-C stops both.",
            rule,
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def user_named(username):
    """Return the user whose username is ``username``."""
    return get_user_model().objects.get_by_natural_key(username)


def credentials(user):
    """Return ``username / password`` when this run set the password, else how to get one."""
    if user.password:
        return f"{user.username} / {user.password}"
    return f"{user.username} (password shown when it was set; --reset-passwords prints new ones)"


def where_to_look(site, client_port, trusted_app):
    """Return ``(url, what it shows)`` for each step of the demo's story."""
    return [
        (
            f"http://{HOST}:{client_port}/",
            "Sample client: click Sign in, sign in to the site as alice, see the consent page; choose Allow",
        ),
        (f"{site}{reverse('mm_oauth:authorized-apps')}", "Authorized applications: the apps alice allowed; Revoke"),
        (f"{site}{reverse('mm_oauth:apps-list')}", "Integrations: register apps, regenerate secrets (as admin)"),
        (
            f"{site}{reverse('mm_oauth:org-third-party-access', args=[ORG_SLUG])}",
            "Acme's third-party access (as alice): approve the sample client so it sees Acme's private project",
        ),
        (f"{site}{reverse('mm_oauth:organizations')}", "Organizations: bob sees Acme as a member"),
        (
            trusted_sign_in_url(site, trusted_app),
            f"{trusted_app.name}: a trusted app's sign-in, which skips the consent page",
        ),
        (
            f"{site}{reverse('admin:mm_oauth_providersettings_changelist')}",
            "Admin (as admin): the provider switch; turn it off and watch the pages say so",
        ),
    ]
