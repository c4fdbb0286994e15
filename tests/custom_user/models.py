"""A custom user model, so the suite can prove mm_oauth works with a swapped AUTH_USER_MODEL."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Member(AbstractUser):
    nickname = models.CharField(max_length=50, blank=True)

    class Meta:
        db_table = "custom_member"
