"""Authorization codes already exchanged for tokens, so that a replay can revoke those tokens.

RFC 6749 section 4.1.2: "If an authorization code is used more than once, the
authorization server MUST deny the request and SHOULD revoke (when possible)
all tokens previously issued based on that authorization code." DOT deletes a
grant when it is redeemed, which leaves nothing to recognise a replay by; this
row keeps the code's checksum (never the code) and what it was exchanged for.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RedeemedCode(models.Model):
    """One redeemed authorization code: its SHA-256 checksum and the tokens it produced."""

    code_checksum = models.CharField(_("code checksum"), max_length=64, unique=True)
    application = models.ForeignKey(
        "mm_oauth.Application", verbose_name=_("application"), on_delete=models.CASCADE, related_name="+"
    )
    # The refresh-token family (every rotation of the refresh token issued for
    # the code shares it) and the first access token. Plain values rather than
    # foreign keys: tokens are deleted in bulk (mm_oauth.services.tokens) and
    # this row must not stand in the way.
    token_family = models.UUIDField(_("refresh token family"), null=True, blank=True)
    access_token_id = models.BigIntegerField(_("access token"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("redeemed authorization code")
        verbose_name_plural = _("redeemed authorization codes")

    def __str__(self):
        return f"{self.code_checksum[:12]}… ({self.redeemed_at:%Y-%m-%d %H:%M})"
