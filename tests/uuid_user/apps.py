from django.apps import AppConfig


class UuidUserConfig(AppConfig):
    name = "tests.uuid_user"
    label = "uuid_user"
