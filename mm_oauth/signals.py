"""Signals mm_oauth sends. Receivers get ``actor`` (a user or None) and ``request`` (or None).

- ``provider_settings_changed``: ``changes`` maps each changed flag to ``(old, new)``.
"""

from django.dispatch import Signal

provider_settings_changed = Signal()
