"""The example site's own data: a small message board that apps can post to."""

from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    message = models.TextField(max_length=4000)
    # Set when an OAuth app created the post: shown as "via <app>".
    from_app = models.ForeignKey("mm_oauth.Application", null=True, blank=True, on_delete=models.SET_NULL)
    override_username = models.CharField(max_length=64, blank=True)
    override_icon_url = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message[:50]

    @property
    def display_name(self):
        return self.override_username or self.author.get_username()


class Project(models.Model):
    """An organization-owned resource: private ones only members (and approved apps) see."""

    organization = models.ForeignKey("mm_oauth.Organization", on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)
    private = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name
