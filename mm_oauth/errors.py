"""Turn a service's ValidationError into messages per field, for every surface: API, forms, commands.

The services raise Django's ValidationError keyed by the model's field names;
each surface names fields its own way (``callback_urls`` in the API for the
model's ``redirect_uris``, ``--grace-seconds`` on the command line). One
function does the mapping, so the surfaces never disagree.
"""

from django.core.exceptions import NON_FIELD_ERRORS


def messages_by_field(error, names=None, non_field=NON_FIELD_ERRORS):
    """Return ``{field: [message, ...]}`` of ``error``, fields renamed through ``names``.

    Errors that name no field (or a plain ValidationError) come under ``non_field``.
    """
    names = names or {}
    if not hasattr(error, "error_dict"):
        return {non_field: list(error.messages)}
    return {
        non_field if field == NON_FIELD_ERRORS else names.get(field, field): messages
        for field, messages in error.message_dict.items()
    }


def merge_messages(into, error):
    """Add ``error``'s messages to the dict ``into`` (``{field: [messages]}``), keeping messages already there."""
    for field, messages in messages_by_field(error).items():
        into.setdefault(field, messages)
    return into


def as_lines(error, names=None):
    """Return ``error`` as lines ``field: messages``, for a command's output."""
    return [f"{field}: {' '.join(messages)}" for field, messages in messages_by_field(error, names, "error").items()]
