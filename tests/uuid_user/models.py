"""A custom user model keyed by UUID, so the suite proves mm_oauth takes user IDs that are not integers."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class UuidMember(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        db_table = "uuid_member"
