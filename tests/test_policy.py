"""The one truth table of who may do what with OAuth applications (``mm_oauth.policy``).

Every role of ``tests.conftest.ROLES``, with ``restrict_to_admins`` on and off.
The pages and the API only translate these answers to HTTP; their tests keep one
row per HTTP outcome (tests/test_web_apps.py, tests/test_api_apps.py).
"""

import pytest
from oauth2_provider.models import get_application_model

from mm_oauth import policy
from mm_oauth.services.provider_settings import update_provider_settings
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

Y, N = True, False
# Columns: may register apps, manages their own app, manages someone else's app,
# manages all apps, may set Is Trusted, which apps ``manageable_apps`` keeps
# (none, own, all), sees their own authorizations, sees someone else's.
COLUMNS = ("register", "own", "others", "all", "trusted", "manageable", "view_own", "view_others")
TRUTH = {
    # role: (with restrict_to_admins on, with it off)
    "anonymous": ((N, N, N, N, N, "none", N, N), (N, N, N, N, N, "none", N, N)),
    "inactive": ((N, N, N, N, N, "none", N, N), (N, N, N, N, N, "none", N, N)),
    "plain": ((N, N, N, N, N, "none", Y, N), (Y, Y, N, N, N, "own", Y, N)),
    "manage_oauth": ((Y, Y, N, N, N, "own", Y, N), (Y, Y, N, N, N, "own", Y, N)),
    "staff": ((Y, Y, N, N, N, "own", Y, N), (Y, Y, N, N, N, "own", Y, N)),
    "manage_system_wide_oauth": ((Y, Y, Y, Y, N, "all", Y, Y), (Y, Y, Y, Y, N, "all", Y, Y)),
    "superuser": ((Y, Y, Y, Y, Y, "all", Y, Y), (Y, Y, Y, Y, Y, "all", Y, Y)),
}
assert tuple(TRUTH) == ROLES


def answers(person, own, others, someone):
    """Return the policy's answers for ``person`` in the order of ``COLUMNS``."""
    apps = get_application_model().objects.order_by("pk")
    kept = set(policy.manageable_apps(person, apps))
    manageable = {frozenset(): "none", frozenset({own}): "own", frozenset({own, others}): "all"}[frozenset(kept)]
    return (
        policy.may_register_apps(person),
        policy.may_manage_app(person, own),
        policy.may_manage_app(person, others),
        policy.manages_all_apps(person),
        policy.may_set_trusted(person),
        manageable,
        policy.may_view_authorizations(person, person),
        policy.may_view_authorizations(person, someone),
    )


@pytest.mark.parametrize("restricted", [True, False], ids=["restricted", "unrestricted"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what(role, restricted, make_role, make_user, make_app):
    update_provider_settings(restrict_to_admins=restricted)
    person = make_role(role)
    someone = make_user()
    # An anonymous person owns nothing: "their own app" is then one nobody created.
    own = make_app(creator=person if person.is_authenticated else None)
    others = make_app(creator=someone)

    expected = TRUTH[role][0 if restricted else 1]
    assert dict(zip(COLUMNS, answers(person, own, others, someone), strict=True)) == dict(
        zip(COLUMNS, expected, strict=True)
    )


def test_an_app_nobody_created_is_managed_only_by_system_wide_managers(make_role, make_app):
    update_provider_settings(restrict_to_admins=False)
    system_app = make_app(creator=None)
    managers = {role for role in ROLES if policy.may_manage_app(make_role(role), system_app)}
    assert managers == {"manage_system_wide_oauth", "superuser"}


def test_none_is_nobody(make_app):
    app = make_app(creator=None)
    assert not policy.may_register_apps(None) and not policy.may_manage_app(None, app)
    assert not policy.manages_all_apps(None) and not policy.may_set_trusted(None)
