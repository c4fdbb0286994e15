"""The app management pages, relative to their prefix.

``mm_oauth.urls`` mounts them at ``integrations/oauth2-apps/`` (Mattermost's
path); the names live in the ``mm_oauth`` namespace: ``mm_oauth:apps-list``,
``apps-add``, ``apps-edit``, ``apps-delete``, ``apps-regenerate``, ``apps-secret``.
"""

from django.urls import path

from . import apps as views

urlpatterns = [
    path("", views.AppListView.as_view(), name="apps-list"),
    path("add/", views.AppCreateView.as_view(), name="apps-add"),
    path("<str:client_id>/edit/", views.AppEditView.as_view(), name="apps-edit"),
    path("<str:client_id>/delete/", views.AppDeleteView.as_view(), name="apps-delete"),
    path("<str:client_id>/regenerate-secret/", views.AppRegenerateSecretView.as_view(), name="apps-regenerate"),
    path("<str:client_id>/secret/", views.AppSecretView.as_view(), name="apps-secret"),
]
