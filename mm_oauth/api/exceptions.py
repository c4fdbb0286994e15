"""One JSON error shape for the whole API, modelled on Mattermost's AppError::

    {"id": "api.invalid_request", "message": "…", "status_code": 400,
     "errors": {"field": ["…"]}}

``id`` is stable (clients branch on it), ``message`` is for people, and
``errors`` (only for invalid input) lists the problems per field.
"""

import logging
from contextlib import contextmanager
from http import HTTPStatus

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import messages_by_field
from ..unavailable import DATABASE_ERRORS, DATABASE_UNAVAILABLE_MESSAGE, RETRY_AFTER_SECONDS, drop_broken_connections

logger = logging.getLogger("mm_oauth.unavailable")

_IDS = {
    exceptions.ValidationError: "api.invalid_request",
    exceptions.ParseError: "api.invalid_json",
    exceptions.NotAuthenticated: "api.unauthenticated",
    exceptions.AuthenticationFailed: "api.unauthenticated",
    exceptions.PermissionDenied: "api.forbidden",
    exceptions.NotFound: "api.not_found",
    exceptions.MethodNotAllowed: "api.method_not_allowed",
    exceptions.UnsupportedMediaType: "api.unsupported_media_type",
    exceptions.Throttled: "api.throttled",
}


def _error_id(exc):
    explicit = getattr(exc, "error_id", None)
    if explicit:
        return explicit
    for cls in type(exc).__mro__:
        if cls in _IDS:
            return _IDS[cls]
    return "api.error"


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        out = []
        for item in detail:
            flat = _flatten(item)
            out.extend(flat if isinstance(flat, list) else [flat])
        return out
    return str(detail)


@contextmanager
def field_errors(names):
    """Turn a service's ValidationError (the model's field names) into a 400 naming the API's fields."""
    try:
        yield
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(messages_by_field(exc, names, "non_field_errors")) from None


def database_unavailable(exc, context):
    """Answer 503 in the API's shape when the database connection was lost mid-request; the client may retry."""
    request = context.get("request")
    logger.warning("Database unavailable: %s answered 503", getattr(request, "path", "?"), exc_info=exc)
    drop_broken_connections()
    body = {"id": "api.database_unavailable", "message": DATABASE_UNAVAILABLE_MESSAGE, "status_code": 503}
    return Response(
        body,
        status=HTTPStatus.SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def exception_handler(exc, context):
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable(exc, context)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    # DRF turns Http404 and Django's PermissionDenied into its own exceptions;
    # keep their message (a service's reason), which DRF passed on in "detail".
    if not isinstance(exc, exceptions.APIException):
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        exc = exceptions.NotFound(detail) if response.status_code == 404 else exceptions.PermissionDenied(detail)
    body = {"id": _error_id(exc), "status_code": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        fields = ", ".join(errors)
        first = next(iter(errors.values()), [""])
        body["message"] = f"Invalid {fields}: {first[0]}" if first else f"Invalid {fields}."
        body["errors"] = errors
    else:
        body["message"] = _flatten(exc.detail) if not isinstance(exc.detail, (dict, list)) else str(exc.detail)
    response.data = body
    return response
