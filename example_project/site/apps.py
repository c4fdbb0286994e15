from django.apps import AppConfig


class ExampleSiteConfig(AppConfig):
    name = "example_project.site"
    label = "example_site"
    verbose_name = "Example site"
