"""The example site's API: ``GET/POST /api/v4/posts``, a message board apps can post to.

Posts made with an OAuth token may carry Mattermost's ``props.override_username``
and ``props.override_icon_url``; mm_oauth.contrib.rest_framework.overrides decides whether they count.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.generics import ListCreateAPIView

from mm_oauth.api.base import MMOAuthAPIView
from mm_oauth.api.exceptions import exception_handler
from mm_oauth.contrib.rest_framework.overrides import display_for

from .models import Post


class PropsSerializer(serializers.Serializer):
    override_username = serializers.CharField(required=False, allow_blank=True, max_length=200)
    override_icon_url = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class PostSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="pk", read_only=True)
    user_id = serializers.CharField(source="author_id", read_only=True)
    message = serializers.CharField(max_length=4000, trim_whitespace=True)
    props = PropsSerializer(required=False, write_only=True)
    from_app = serializers.SerializerMethodField()
    display_name = serializers.CharField(read_only=True)
    icon_url = serializers.CharField(source="override_icon_url", read_only=True)
    create_at = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "user_id", "message", "props", "from_app", "display_name", "icon_url", "create_at"]

    def get_from_app(self, post) -> dict | None:
        if post.from_app_id is None:
            return None
        return {"id": post.from_app.client_id, "name": post.from_app.name}

    def get_create_at(self, post) -> int:
        return int(post.created_at.timestamp() * 1000)

    def create(self, validated_data):
        props = validated_data.pop("props", {})
        request = self.context["request"]
        try:
            display = display_for(
                request,
                override_username=props.get("override_username"),
                override_icon_url=props.get("override_icon_url"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {f"props.{key}": value for key, value in exc.message_dict.items()}
            ) from None
        return Post.objects.create(
            author=request.user,
            from_app=display.app,
            override_username=display.username,
            override_icon_url=display.icon_url,
            **validated_data,
        )


class PostsView(ListCreateAPIView, MMOAuthAPIView):
    """List the newest posts, or post a message (people with a session; apps with a token)."""

    serializer_class = PostSerializer
    queryset = Post.objects.select_related("author", "from_app")

    def get_exception_handler(self):
        return exception_handler
