"""The example site's URLs: mm_oauth at its default paths, plus the site's own pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("mm_oauth.urls")),
    path("", include("example_project.site.urls")),
    path("admin/", admin.site.urls),
    # Django's set_language view, for the navbar's language switcher.
    path("i18n/", include("django.conf.urls.i18n")),
]
