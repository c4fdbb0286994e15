"""The organization pages, relative to their prefix.

``mm_oauth.urls`` mounts them at ``organizations/``; names in the ``mm_oauth``
namespace:

- ``organizations``: the organizations you belong to;
- ``org-create``: a new organization, with you as its owner;
- ``org-third-party-access``: an organization's third-party access page (owners);
- ``org-restrictions-on`` / ``org-restrictions-off``: confirm, then change the policy;
- ``org-app-approve`` / ``org-app-deny``: an owner's decision from that page;
- ``org-request-access`` / ``org-grant-access``: the consent page's and the
  authorized-apps page's buttons (POST, with ``next``).
"""

from django.urls import path

from . import organizations as views

SETTINGS = "<slug:slug>/settings/third-party-access/"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organizations"),
    path("new/", views.OrganizationCreateView.as_view(), name="org-create"),
    path(SETTINGS, views.ThirdPartyAccessView.as_view(), name="org-third-party-access"),
    path(f"{SETTINGS}restrictions/on/", views.RestrictionsView.as_view(restricted=True), name="org-restrictions-on"),
    path(f"{SETTINGS}restrictions/off/", views.RestrictionsView.as_view(restricted=False), name="org-restrictions-off"),
    path(f"{SETTINGS}<str:client_id>/approve/", views.DecisionView.as_view(approve=True), name="org-app-approve"),
    path(f"{SETTINGS}<str:client_id>/deny/", views.DecisionView.as_view(approve=False), name="org-app-deny"),
    path(
        "<slug:slug>/third-party-access/<str:client_id>/request/",
        views.RequestAccessView.as_view(),
        name="org-request-access",
    ),
    path(
        "<slug:slug>/third-party-access/<str:client_id>/grant/",
        views.DecisionView.as_view(approve=True, fallback="mm_oauth:authorized-apps"),
        name="org-grant-access",
    ),
]
