"""The REST API (Django REST framework) at Mattermost's v4 paths."""
