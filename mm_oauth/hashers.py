"""A fast, salted hasher for server-generated client secrets.

Client secrets are 128 random characters (about 760 bits of entropy): no
dictionary or brute-force attack applies, so a slow password KDF protects
nothing and costs a few hundred milliseconds on every token, revoke and
introspect request. A salted SHA-256 keeps a leaked database from revealing
usable secrets at a fraction of the cost.

Never list this hasher first in ``PASSWORD_HASHERS``: people's passwords must
keep a slow KDF (system check ``mm_oauth.E003``).
"""

import hashlib

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _


class ClientSecretHasher(BasePasswordHasher):
    algorithm = "mm_oauth_sha256"

    def encode(self, password, salt):
        self._check_encode_args(password, salt)
        digest = hashlib.sha256((salt + password).encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded):
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("salt"): mask_hash(decoded["salt"], show=2),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def harden_runtime(self, password, encoded):
        pass
