"""mm_oauth's models: applications, authorizations, organizations, the provider settings, the audit trail."""

from .app_access import AppAccess
from .application import Application
from .audit import AuditEvent
from .authorization import Authorization
from .organization import Membership, Organization
from .provider_settings import ProviderSettings
from .redeemed_code import RedeemedCode

__all__ = [
    "Application",
    "AppAccess",
    "AuditEvent",
    "Authorization",
    "Membership",
    "Organization",
    "ProviderSettings",
    "RedeemedCode",
]
