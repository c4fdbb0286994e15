"""django-oauth-toolkit integration: validator, protocol views and their URLs."""
