"""mm_oauth's models: the OAuth application, consents, the provider settings singleton, the audit trail."""

from .application import Application
from .audit import AuditEvent
from .consent import Consent
from .provider_settings import ProviderSettings

__all__ = ["Application", "AuditEvent", "Consent", "ProviderSettings"]
