"""Answer 503 when the database fails in the middle of a request, instead of a 500.

A PostgreSQL restart, a failover or ``pg_terminate_backend`` ends the
connection mid-request, and Django raises ``OperationalError`` or
``InterfaceError``. A client calling the token, revocation or introspection
endpoint then gets RFC 6749's error shape with ``Retry-After`` instead of an
HTML 500, and can simply try again::

    view_class = method_decorator(unavailable_on_database_error, name="dispatch")(view_class)

Nothing is left half-written: on its way out the exception left every
``atomic`` block, and each rolled its work back (PostgreSQL rolls back by
itself the transaction of a connection that is gone). The broken connection is
dropped here, so the next request opens a new one.
"""

import logging
from functools import wraps
from http import HTTPStatus

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse

# Long enough for a PostgreSQL restart or failover; short enough that a client retrying stays responsive.
RETRY_AFTER_SECONDS = 5
# Not translated: RFC 6749 section 5.2 makes error_description ASCII text for the
# client's developer, not a message for the person using the client.
DATABASE_UNAVAILABLE_MESSAGE = "The database is temporarily unavailable; try again shortly."
DATABASE_ERRORS = (OperationalError, InterfaceError)

logger = logging.getLogger("mm_oauth.unavailable")


def database_unavailable_json():
    """Answer in RFC 6749's error shape, with status 503 and ``Retry-After``."""
    response = JsonResponse(
        {"error": "temporarily_unavailable", "error_description": DATABASE_UNAVAILABLE_MESSAGE},
        status=HTTPStatus.SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def drop_broken_connections():
    """Close every database connection that an error left unusable, so the next query reconnects.

    Inside an atomic block (``ATOMIC_REQUESTS``, or one of the caller's) the
    connection is only marked for rollback: the block, on leaving, rolls back
    and closes the connection when the rollback fails. Outside, Django's own
    check runs now rather than when the request has finished, so that
    middleware answering on the way out gets a working connection.
    """
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            connection.set_rollback(True)
        else:
            connection.close_if_unusable_or_obsolete()


def unavailable_on_database_error(view):
    """Wrap ``view`` to answer 503 when the database fails; ``method_decorator`` applies it to ``dispatch``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DATABASE_ERRORS:
            logger.warning("Database unavailable: %s %s answered 503", request.method, request.path, exc_info=True)
            drop_broken_connections()
            return database_unavailable_json()

    return wrapper
