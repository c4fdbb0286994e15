"""Find users by the IDs clients send, whatever the user model's primary key is."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError


def parse_user_pk(value):
    """Return ``value`` as a primary key of the user model, or None when it cannot be one.

    Checks the type (an integer, a UUID, ... as the host's user model has it)
    and the field's own range (a 64-bit integer for BigAutoField), so an ID
    such as ``"99999999999999999999999"`` is refused here instead of
    overflowing in the database driver.
    """
    field = get_user_model()._meta.pk
    if isinstance(value, (bool, list, dict, float)) or value is None or str(value).strip() != str(value):
        return None
    try:
        pk = field.to_python(value)
        field.run_validators(pk)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None
    return pk


def get_user_by_id(value):
    """Return the user whose primary key ``value`` names, or None (also for a malformed ID)."""
    pk = parse_user_pk(value)
    return None if pk is None else get_user_model().objects.filter(pk=pk).first()
