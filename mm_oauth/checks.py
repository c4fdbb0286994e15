"""System checks: configuration mistakes caught at ``manage.py check`` time.

Each check has a stable id (``mm_oauth.E00x`` / ``W00x``) and a hint saying what to change.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from . import scopes
from .defaults import APPLICATION_MODEL, CLIENT_SECRET_HASHER, CLIENT_SECRET_HASHER_PATH

REGISTER_HINT = 'Register a scope as MM_OAUTH["SCOPES"] = {"name": {"description": _("..."), "optional": True}}.'

REQUIRED_APPS = {
    "oauth2_provider": "django-oauth-toolkit",
    "rest_framework": "djangorestframework",
    "crispy_forms": "django-crispy-forms",
}


@checks.register(checks.Tags.compatibility)
def check_application_model(app_configs=None, **kwargs):
    configured = getattr(settings, "OAUTH2_PROVIDER_APPLICATION_MODEL", None)
    if configured != APPLICATION_MODEL:
        return [
            checks.Error(
                f"OAUTH2_PROVIDER_APPLICATION_MODEL is {configured!r}, not {APPLICATION_MODEL!r}.",
                hint=(
                    f'Set OAUTH2_PROVIDER_APPLICATION_MODEL = "{APPLICATION_MODEL}" in your settings, at the top '
                    "level (not inside OAUTH2_PROVIDER), before django-oauth-toolkit's tables are first migrated."
                ),
                id="mm_oauth.E001",
            )
        ]
    return []


def _hasher_algorithms():
    return [hasher.algorithm for hasher in get_hashers()]


@checks.register(checks.Tags.security)
def check_client_secret_hasher(app_configs=None, **kwargs):
    errors = []
    hasher = oauth2_settings.CLIENT_SECRET_HASHER
    algorithms = _hasher_algorithms()
    if hasher == "default":
        errors.append(
            checks.Warning(
                "Client secrets are hashed with the slow password hasher (CLIENT_SECRET_HASHER is 'default').",
                hint=(
                    f'Set OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"] = "{CLIENT_SECRET_HASHER}" and add '
                    f'"{CLIENT_SECRET_HASHER_PATH}" to PASSWORD_HASHERS (after your password hasher); '
                    "every token request then costs milliseconds, not hundreds."
                ),
                id="mm_oauth.W001",
            )
        )
    elif hasher not in algorithms:
        errors.append(
            checks.Error(
                f"The client secret hasher {hasher!r} is not listed in PASSWORD_HASHERS.",
                hint=f'Add "{CLIENT_SECRET_HASHER_PATH}" to PASSWORD_HASHERS, after your password hasher.',
                id="mm_oauth.E002",
            )
        )
    if algorithms and algorithms[0] == CLIENT_SECRET_HASHER:
        errors.append(
            checks.Error(
                f"{CLIENT_SECRET_HASHER_PATH} is first in PASSWORD_HASHERS, so people's passwords would use it.",
                hint=(
                    "Put a password hasher (such as PBKDF2PasswordHasher) first; "
                    "list the client secret hasher after it."
                ),
                id="mm_oauth.E003",
            )
        )
    return errors


@checks.register(checks.Tags.compatibility)
def check_required_apps(app_configs=None, **kwargs):
    errors = []
    for label, package in REQUIRED_APPS.items():
        if not apps.is_installed(label):
            errors.append(
                checks.Error(
                    f"'{label}' ({package}) must be in INSTALLED_APPS for mm_oauth.",
                    hint=f"pip install {package} and add '{label}' to INSTALLED_APPS.",
                    id="mm_oauth.E004",
                )
            )
    if not getattr(settings, "CRISPY_TEMPLATE_PACK", None):
        errors.append(
            checks.Error(
                "CRISPY_TEMPLATE_PACK is not set; mm_oauth's forms are rendered with django-crispy-forms.",
                hint='Set CRISPY_TEMPLATE_PACK (e.g. "bootstrap5" with crispy-bootstrap5 installed).',
                id="mm_oauth.E005",
            )
        )
    return errors


def _rsa_key_problem(key, name):
    """Return why ``key`` (the setting ``name``) cannot sign ID tokens, or None."""
    try:
        parsed = jwk_from_pem(key)
    except Exception:  # noqa: BLE001 - jwcrypto and cryptography raise several kinds
        return f"{name} is not a PEM-encoded RSA private key."
    if parsed.get("kty") != "RSA" or not parsed.has_private:
        return f"{name} is not an RSA private key."
    return None


@checks.register(checks.Tags.security)
def check_openid_connect(app_configs=None, **kwargs):
    """With OpenID Connect on, ID tokens need the site's RSA key and the ``openid`` scope.

    Retired keys (``OIDC_RSA_PRIVATE_KEYS_INACTIVE``) are checked too: one that
    does not parse would break the JWKS every relying party reads.
    """
    if not oauth2_settings.OIDC_ENABLED:
        return []
    hint = "Use mm_oauth.defaults.oidc_settings(private_key) in OAUTH2_PROVIDER, or set OIDC_ENABLED to False."
    key = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    if not key:
        problem = "OIDC_ENABLED is on but OIDC_RSA_PRIVATE_KEY is empty: ID tokens could not be signed."
    else:
        problem = _rsa_key_problem(key, "OIDC_RSA_PRIVATE_KEY")
    for index, inactive in enumerate(oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE or []):
        problem = problem or _rsa_key_problem(inactive, f"OIDC_RSA_PRIVATE_KEYS_INACTIVE[{index}]")
    if problem is None and "openid" not in get_scopes_backend().get_all_scopes():
        problem = "OIDC_ENABLED is on but SCOPES has no 'openid' scope: no client could ask for an ID token."
    if problem is None:
        return []
    return [checks.Error(f"OAUTH2_PROVIDER: {problem}", hint=hint, id="mm_oauth.E007")]


@checks.register(checks.Tags.security)
def check_scopes(app_configs=None, **kwargs):
    """DOT must read mm_oauth's scope registry, and no ``SCOPES`` setting may say otherwise."""
    hint = (
        'Keep "SCOPES_BACKEND_CLASS": "mm_oauth.scopes.RegistryScopes" (mm_oauth.defaults sets it), drop '
        "SCOPES and DEFAULT_SCOPES from OAUTH2_PROVIDER and register scopes in MM_OAUTH['SCOPES']."
    )
    try:
        names = set(scopes.scope_names())
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint=REGISTER_HINT, id="mm_oauth.E008")]
    problem = None
    configured = getattr(settings, "OAUTH2_PROVIDER", {}) or {}
    if not issubclass(oauth2_settings.SCOPES_BACKEND_CLASS, scopes.RegistryScopes):
        problem = "SCOPES_BACKEND_CLASS is not mm_oauth.scopes.RegistryScopes: apps' allowed scopes are not enforced."
    elif "SCOPES" in configured and set(configured["SCOPES"]) != names:
        problem = f"SCOPES ({', '.join(sorted(configured['SCOPES']))}) disagrees with the scope registry."
    elif not set(configured.get("DEFAULT_SCOPES", [])) <= names | {"__all__"}:
        problem = "DEFAULT_SCOPES names scopes the registry lacks."
    if problem is None:
        return []
    return [checks.Error(f"OAUTH2_PROVIDER: {problem}", hint=hint, id="mm_oauth.E008")]


@checks.register(checks.Tags.database)
def check_token_tables_point_at_mm_oauth(app_configs=None, databases=None, **kwargs):
    """Detect DOT tables created before the Application model was swapped (DOT #319, #634)."""
    errors = []
    token_model = get_access_token_model()
    expected = get_application_model()._meta.db_table
    for alias in databases or []:
        connection = connections[alias]
        table = token_model._meta.db_table
        with connection.cursor() as cursor:
            if table not in connection.introspection.table_names(cursor):
                continue
            constraints = connection.introspection.get_constraints(cursor, table)
        column = token_model._meta.get_field("application").column
        targets = {
            c["foreign_key"][0] for c in constraints.values() if c.get("foreign_key") and c["columns"] == [column]
        }
        if targets and expected not in targets:
            errors.append(
                checks.Error(
                    f"{table}.{column} references {', '.join(sorted(targets))}, not {expected} (database {alias!r}).",
                    hint=(
                        "django-oauth-toolkit's tables were migrated before OAUTH2_PROVIDER_APPLICATION_MODEL pointed "
                        "at mm_oauth.Application; new tokens would fail. Migrate oauth2_provider to zero and migrate "
                        "again (see the README, 'Adding mm_oauth to an existing project')."
                    ),
                    id="mm_oauth.E006",
                )
            )
    return errors
