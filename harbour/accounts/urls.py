from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-in/code/", views.two_factor_view, name="two_factor"),
    path("sign-in/set-up/", views.set_up_view, name="two_factor_set_up"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
]
