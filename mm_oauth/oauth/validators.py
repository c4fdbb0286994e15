"""mm_oauth's oauthlib request validator (``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]``)."""

from oauth2_provider.oauth2_validators import OAuth2Validator as DOTValidator


class OAuth2Validator(DOTValidator):
    def is_pkce_required(self, client_id, request):
        """Require PKCE from every public client; for confidential ones follow PKCE_REQUIRED.

        A public client cannot keep a secret, so only PKCE (RFC 7636) binds the
        code to the client that asked for it.
        """
        client = request.client if request.client is not None else self._load_application(client_id, request)
        if client is not None and client.client_type == client.CLIENT_PUBLIC:
            return True
        return super().is_pkce_required(client_id, request)
