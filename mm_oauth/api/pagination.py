"""Mattermost's paging: ``page`` (from 0) and ``per_page`` (1-200, default 60); the body stays a plain list."""

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class PageParametersSerializer(serializers.Serializer):
    """Mattermost's paging query parameters: page counts from 0."""

    # The bound keeps OFFSET (page * per_page) a small integer on every database.
    page = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0, help_text="Page number, from 0.")
    per_page = serializers.IntegerField(min_value=1, max_value=200, default=60, help_text="Items per page (1-200).")


class MattermostPagination(BasePagination):
    """Slice a queryset by ``page`` and ``per_page``; a bad value is a 400 naming the parameter."""

    def paginate_queryset(self, queryset, request, view=None):
        params = PageParametersSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page, per_page = params.validated_data["page"], params.validated_data["per_page"]
        return list(queryset[page * per_page : (page + 1) * per_page])

    def get_paginated_response(self, data):
        return Response(data)


def page_of(request, queryset):
    """Return the page of ``queryset`` that ``request`` asks for."""
    return MattermostPagination().paginate_queryset(queryset, request)
