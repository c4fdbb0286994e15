"""The base every mm_oauth API view extends: authentication, renderer, error shape, schema."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from ..contrib.rest_framework.authentication import OAuth2Authentication
from ..contrib.rest_framework.permissions import TokenHasReadWriteScope
from .exceptions import exception_handler
from .permissions import NotOAuthToken


class MMOAuthAPIView(APIView):
    """Session (with CSRF) for people, bearer tokens for apps; JSON in and out."""

    authentication_classes = [OAuth2Authentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenHasReadWriteScope]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    # drf-spectacular describes these views (``/api/v4/schema``) whatever the
    # host's REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] says; hosts change nothing.
    schema = AutoSchema()

    def get_exception_handler(self):
        return exception_handler


class PeopleOnlyAPIView(MMOAuthAPIView):
    """An endpoint for signed-in people; OAuth access tokens get 403 with the reason."""

    permission_classes = [IsAuthenticated, NotOAuthToken]
