"""The Django admin never shows a client secret or a token."""

import pytest
from django.contrib import admin
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from mm_oauth.admin import ApplicationAdmin
from tests.oauth_helpers import obtain_tokens

pytestmark = pytest.mark.django_db


def test_the_swapped_model_uses_mm_oauths_admin():
    assert isinstance(admin.site._registry[get_application_model()], ApplicationAdmin)


def test_application_pages_show_no_secret(client, superuser, make_app):
    app = make_app()
    app.refresh_from_db()
    client.force_login(superuser)
    for url in (
        "/admin/mm_oauth/application/",
        f"/admin/mm_oauth/application/{app.pk}/change/",
        f"/admin/mm_oauth/application/?q={app.client_id}",
    ):
        page = client.get(url).content.decode()
        assert app.client_id in page
        assert app.plain_secret not in page
        assert app.client_secret not in page  # not even the hash


def test_applications_are_not_added_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/mm_oauth/application/add/").status_code == 403


def test_only_superusers_may_change_is_trusted(client, make_user, make_app):
    from django.contrib.auth.models import Permission

    staff = make_user("staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_application", "view_application"]))
    app = make_app()
    client.force_login(staff)
    page = client.get(f"/admin/mm_oauth/application/{app.pk}/change/").content.decode()
    assert 'name="is_trusted"' not in page


def test_token_pages_mask_tokens(client, superuser, user, provider_on, make_app):
    app = make_app(is_trusted=True)
    client.force_login(user)
    body = obtain_tokens(client, app)
    token = get_access_token_model().objects.get()
    refresh = get_refresh_token_model().objects.get()
    client.force_login(superuser)
    for url in (
        "/admin/oauth2_provider/accesstoken/",
        f"/admin/oauth2_provider/accesstoken/{token.pk}/change/",
        "/admin/oauth2_provider/refreshtoken/",
        f"/admin/oauth2_provider/refreshtoken/{refresh.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        # Only the one-way SHA-256 checksum is stored; the tokens themselves are nowhere.
        assert body["access_token"] not in page
        assert body["refresh_token"] not in page
