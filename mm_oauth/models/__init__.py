"""mm_oauth's models: the OAuth application, the provider settings singleton, the audit trail."""

from .application import Application
from .audit import AuditEvent
from .provider_settings import ProviderSettings

__all__ = ["Application", "AuditEvent", "ProviderSettings"]
