"""What a host's Django REST framework API uses from mm_oauth, in one place.

- ``authentication.OAuth2Authentication``: bearer tokens, refused with the
  reason while the provider is off; ``is_token_request(request)``.
- ``permissions.TokenHasReadWriteScope``: ``read`` to read, ``write`` to change.
- ``organizations.visible_to`` and ``organizations.OrganizationResourcePermission``:
  keep unapproved third-party apps out of organizations' private resources.
- ``overrides.display_for``: integration display overrides (custom name and icon).

mm_oauth's own API is built on the same classes.
"""
