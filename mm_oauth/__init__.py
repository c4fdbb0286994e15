"""mm_oauth: make a Django site an OAuth 2.0 provider for third-party applications."""

__version__ = "0.1.0"
