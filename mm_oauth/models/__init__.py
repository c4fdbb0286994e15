"""mm_oauth's models: the OAuth application and the provider settings singleton."""

from .application import Application
from .provider_settings import ProviderSettings

__all__ = ["Application", "ProviderSettings"]
