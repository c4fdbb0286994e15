"""The example site's own pages: home and account."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from mm_oauth.services.provider_settings import get_provider_settings


def home(request):
    return render(request, "example/home.html", {"provider": get_provider_settings()})


@login_required
def board(request):
    """The message board: what people and apps have posted."""
    from .models import Post

    posts = Post.objects.select_related("author", "from_app")[:50]
    return render(request, "example/board.html", {"posts": posts})


@login_required
def account(request):
    return render(request, "example/account.html")
