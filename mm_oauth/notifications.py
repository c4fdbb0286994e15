"""Mail mm_oauth's notices once the transaction commits, through Django's Tasks framework.

The services say who is told what (``notify``); this module renders the notice
while the request is still active, so the user's language applies, and hands
the rendered text to a task after the transaction commits. A mail server that
is down, or a queue that cannot take the task, is logged to the
``mm_oauth.notifications`` logger and never fails the flow that sent the
notice: by then the grant or decision it announces is saved.

Which task backend runs the task is the site's ``TASKS`` setting: Django's
default ``ImmediateBackend`` sends at once (still after the commit), a
database-backed queue leaves the sending to a worker process.
"""

import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport, the same API
    from django_tasks import task

logger = logging.getLogger("mm_oauth.notifications")

# Line breaks (which make send_mail raise BadHeaderError) and every other
# control character, with the blanks around them.
_CONTROL = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")


def email_of(user):
    """Return the user's email address, or "" when there is none."""
    if user is None:
        return ""
    return getattr(user, user.get_email_field_name(), "") or ""


def site_url(request):
    """Return the scheme and host the request came to (``https://example.com``), or "" without a request.

    Templates put it before a ``{% url %}``, so the services that send notices
    never need to know a page's URL.
    """
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


def one_line(text):
    """Return ``text`` with its line breaks and control characters collapsed to single spaces.

    A subject is a header: an app name typed with a line break must neither
    break the notice nor start a header of its own.
    """
    return _CONTROL.sub(" ", text).strip()


def render(template, context):
    """Return ``(subject, body)`` of ``mm_oauth/email/<template>_subject.txt`` and ``_body.txt``."""
    subject = render_to_string(f"mm_oauth/email/{template}_subject.txt", context)
    body = render_to_string(f"mm_oauth/email/{template}_body.txt", context)
    return one_line(subject), body


def notify(template, context, recipients):
    """Render the notice ``template`` now and mail it to ``recipients`` after the transaction commits.

    Blank addresses are dropped; nothing is sent when none is left. A rolled
    back transaction sends nothing: the notice would announce what never happened.
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    subject, body = render(template, context)
    # robust: should enqueueing raise after all, Django logs it and runs the other callbacks.
    transaction.on_commit(lambda: enqueue(template, subject, body, recipients), robust=True)


def enqueue(template, subject, body, recipients):
    """Hand the rendered notice to the task backend; log a backend that cannot take it."""
    try:
        send_notification.enqueue(template=template, subject=subject, body=body, recipients=list(recipients))
    except Exception:
        logger.exception("Could not queue the %s notice to %s", template, ", ".join(recipients))


@task()
def send_notification(*, template, subject, body, recipients):
    """Send one rendered notice; log a failure instead of raising it. Return the number of messages sent.

    With the ImmediateBackend this runs inside the request that caused the
    notice, after its commit: an exception here must not reach that request.
    The arguments are plain strings so that any backend can store them.
    """
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        # The addresses and the notice's name, never its text: that can carry links.
        logger.exception("Could not send the %s notice to %s", template, ", ".join(recipients))
        return 0
