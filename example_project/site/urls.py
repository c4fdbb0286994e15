from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .api import PostsView
from .projects_api import ProjectDetailView, ProjectListView

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("board/", views.board, name="board"),
    path("api/v4/posts", PostsView.as_view(), name="api-posts"),
    path("api/v4/organizations/<slug:slug>/projects", ProjectListView.as_view(), name="api-org-projects"),
    path("api/v4/organizations/<slug:slug>/projects/<int:pk>", ProjectDetailView.as_view(), name="api-org-project"),
]
