"""The HTML pages: Integrations > OAuth 2.0 Applications."""
