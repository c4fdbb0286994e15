"""The sample client's pages; the callback path is the one registered with the provider."""

from django.conf import settings
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signin", views.sign_in, name="sign_in"),
    path(settings.SAMPLE_CLIENT.callback_path.lstrip("/"), views.callback, name="callback"),
    path("post", views.post_message, name="post"),
    path("signout", views.sign_out, name="sign_out"),
]
