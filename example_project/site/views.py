"""The example site's own pages: home, account, the message board, and a sign-in page that throttles guessing."""

from http import HTTPStatus

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from mm_oauth.services.provider_settings import get_provider_settings
from mm_oauth.throttling import FailureThrottle

# Ten wrong passwords from one address within five minutes, then 429 until the
# five minutes are over. Counted per address in the shared cache (CACHE_URL), as
# mm_oauth counts failed client authentication: a person signing in from
# elsewhere is never locked out by somebody guessing their password.
login_failures = FailureThrottle("login", limit=10, window=300)


class LoginView(auth_views.LoginView):
    """Django's sign-in page, refusing an address that failed too often (429 with Retry-After)."""

    def post(self, request, *args, **kwargs):
        retry_after = login_failures.retry_after(request)
        if retry_after is not None:
            context = self.get_context_data(form=self.get_form(), retry_after=retry_after)
            response = self.render_to_response(context, status=HTTPStatus.TOO_MANY_REQUESTS)
            response["Retry-After"] = str(retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failures.note_failure(self.request)
        return super().form_invalid(form)


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
