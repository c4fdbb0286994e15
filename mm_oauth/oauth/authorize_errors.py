"""The authorize error page in words a person can act on.

RFC 6749 section 4.1.2.1: when the client or its redirect URI cannot be
trusted, the server tells the user instead of redirecting. oauthlib's codes
and English descriptions are meant for the client's developer; the page leads
with a translated heading and sentence, and keeps the code in small print.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from oauthlib.oauth2.rfc6749 import errors


@dataclass(frozen=True)
class Explanation:
    """What the error page says: a heading and a sentence, both translated."""

    heading: str
    sentence: str


UNKNOWN_APP = Explanation(
    _("This application is not known to this site"),
    _(
        "The link you followed names an application this site does not know: it may have been deleted or "
        "switched off. Return to the application and try again, or contact its developer."
    ),
)
NO_APP = Explanation(
    _("This link does not say which application is asking"),
    _(
        "The application's sign-in link is incomplete. Return to the application and try again, "
        "or contact its developer."
    ),
)
INCOMPLETE_LINK = Explanation(
    _("This sign-in link is incomplete"),
    _(
        "It does not say where to send you back afterwards, so nothing was shared. Return to the application "
        "and try again, or contact its developer."
    ),
)
BAD_REDIRECT = Explanation(
    _("This application asked to send you to an address it has not registered"),
    _(
        "For your safety you were not sent there. The application's developer must register the address "
        "with this site, or fix the sign-in link."
    ),
)
BAD_PKCE = Explanation(
    _("This sign-in request failed a security check"),
    _(
        "The application sent a malformed security code (PKCE), so the request was stopped before anything "
        "was shared. Return to the application and try again, or contact its developer."
    ),
)
BAD_RESPONSE_TYPE = Explanation(
    _("This application asked for a kind of sign-in this site does not offer"),
    _("Nothing was shared. Contact the application's developer."),
)
BAD_SCOPE = Explanation(
    _("This application asked for permissions this site does not grant it"),
    _("Nothing was shared. Contact the application's developer."),
)
BAD_TARGET = Explanation(
    _("This application asked to reach something this site does not serve"),
    _("Nothing was shared. Contact the application's developer."),
)
DECISION_NOT_RECORDED = Explanation(
    _("Your answer could not be recorded"),
    _("Nothing was shared. Return to the application and start the sign-in again."),
)
GENERIC = Explanation(
    _("This sign-in request cannot be completed"),
    _("Return to the application and try again, or contact its developer."),
)

# Most specific first: the fatal client errors share the code invalid_request.
BY_CLASS = (
    ((errors.InvalidClientIdError, errors.InvalidClientError), UNKNOWN_APP),
    ((errors.MissingClientIdError,), NO_APP),
    (
        (errors.InvalidRedirectURIError, errors.MissingRedirectURIError, errors.MismatchingRedirectURIError),
        BAD_REDIRECT,
    ),
    ((errors.MissingCodeChallengeError, errors.UnsupportedCodeChallengeMethodError), BAD_PKCE),
    ((errors.UnsupportedResponseTypeError, errors.MissingResponseTypeError), BAD_RESPONSE_TYPE),
    ((errors.InvalidScopeError,), BAD_SCOPE),
)
# The page's own refusals (mm_oauth.oauth.authorize) and codes without a class of their own.
BY_KIND = {
    "redirect_uri": BAD_REDIRECT,
    "missing_redirect_uri": INCOMPLETE_LINK,
    "pkce": BAD_PKCE,
    "decision": DECISION_NOT_RECORDED,
    "invalid_target": BAD_TARGET,
    "invalid_scope": BAD_SCOPE,
    "unsupported_response_type": BAD_RESPONSE_TYPE,
    "unauthorized_client": BAD_RESPONSE_TYPE,
}


def explain(error):
    """Return the :class:`Explanation` for ``error``: an oauthlib error, or the page's own ``{"error", "kind"}``."""
    if isinstance(error, dict):
        if error.get("kind") == "decision":  # the form's own messages are translated and say what to do
            return Explanation(
                DECISION_NOT_RECORDED.heading, error.get("description") or DECISION_NOT_RECORDED.sentence
            )
        return BY_KIND.get(error.get("kind") or error.get("error"), GENERIC)
    for classes, explanation in BY_CLASS:
        if isinstance(error, classes):
            return explanation
    return BY_KIND.get(getattr(error, "error", None), GENERIC)
