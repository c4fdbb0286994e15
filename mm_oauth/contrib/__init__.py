"""Helpers a host project uses with its own code (e.g. its own Django REST framework API)."""
