"""django-oauth-toolkit's own strings that mm_oauth's pages show, marked here for mm_oauth's catalogs.

DOT 3.4 ships no translations; its model choices (``Application.CLIENT_TYPES``)
reach the integrations pages through ``get_client_type_display``. Django merges
every installed app's catalog, so a msgid translated in mm_oauth's catalog is
translated wherever DOT's ``gettext`` asks for it. Nothing imports this module:
``makemessages`` only reads it.
"""

from django.utils.translation import gettext_noop

CLIENT_TYPE_LABELS = (gettext_noop("Confidential"), gettext_noop("Public"))
