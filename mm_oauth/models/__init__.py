"""mm_oauth's models: applications, consents, organizations, the provider settings, the audit trail."""

from .app_access import AppAccess
from .application import Application
from .audit import AuditEvent
from .consent import Consent
from .organization import Membership, Organization
from .provider_settings import ProviderSettings
from .redeemed_code import RedeemedCode

__all__ = [
    "Application",
    "AppAccess",
    "AuditEvent",
    "Consent",
    "Membership",
    "Organization",
    "ProviderSettings",
    "RedeemedCode",
]
