"""Integration display overrides through the example site's message board."""

import json

import pytest
from django.test import Client

from example_project.site.models import Post
from mm_oauth.services.provider_settings import update_provider_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
PROPS = {"override_username": "Zapier Bot", "override_icon_url": "https://zapier.example.com/bot.png"}


@pytest.fixture
def bearer(bearer_token, user, app):
    """The Authorization header of alice's read-write token for Zapier."""
    return bearer_token(user, app)


def post(body, **headers):
    return Client().post("/api/v4/posts", json.dumps(body), content_type="application/json", **headers)


def overrides(username=True, icon=True):
    update_provider_settings(allow_username_override=username, allow_icon_override=icon)


def test_app_post_is_marked_and_overrides_ignored_while_the_settings_are_off(bearer, app):
    response = post({"message": "hello", "props": PROPS}, **bearer)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["from_app"] == {"id": app.client_id, "name": "Zapier"}
    assert data["display_name"] == "alice" and data["icon_url"] == ""


def test_overrides_are_honoured_when_switched_on(bearer):
    overrides()
    data = post({"message": "hello", "props": PROPS}, **bearer).json()
    assert data["display_name"] == "Zapier Bot"
    assert data["icon_url"] == "https://zapier.example.com/bot.png"


def test_each_override_has_its_own_switch(bearer):
    overrides(username=True, icon=False)
    data = post({"message": "hello", "props": PROPS}, **bearer).json()
    assert data["display_name"] == "Zapier Bot" and data["icon_url"] == ""


def test_session_posts_never_use_overrides(signed_in_client):
    overrides()
    response = signed_in_client.post(
        "/api/v4/posts", json.dumps({"message": "hi", "props": PROPS}), content_type="application/json"
    )
    assert response.status_code == 201
    data = response.json()
    assert data["from_app"] is None and data["display_name"] == "alice" and data["icon_url"] == ""


@pytest.mark.parametrize(
    "props, field",
    [
        ({"override_icon_url": "javascript:alert(1)"}, "props.override_icon_url"),
        ({"override_username": "x" * 65}, "props.override_username"),
    ],
)
def test_bad_override_values_name_the_field_and_create_nothing(bearer, props, field):
    overrides()
    response = post({"message": "hello", "props": props}, **bearer)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Post.objects.exists()


def test_read_only_tokens_cannot_post(bearer_token, user, app):
    response = post({"message": "hello"}, **bearer_token(user, app, scope="read"))
    assert response.status_code == 403
    assert "write" in response.json()["message"]


def test_board_page_shows_the_app_badge(signed_in_client, bearer):
    overrides()
    post({"message": "from the bot", "props": PROPS}, **bearer)
    page = signed_in_client.get("/board/").content.decode()
    assert "from the bot" in page and "via Zapier" in page and "Zapier Bot" in page
