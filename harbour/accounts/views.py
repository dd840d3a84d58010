from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from harbour.audit import services as auditor


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict:
        # The demo (DEBUG on) says so on the sign-in page.
        return super().get_context_data(**kwargs) | {"settings_debug": settings.DEBUG}

    @method_decorator(sensitive_post_parameters("password"))
    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        auditor.record(form.get_user(), "accounts.sign_in")
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # The username as typed, never the password.
        auditor.record(
            "anonymous",
            "accounts.sign_in_failed",
            details={"username": form.data.get("username", "")[:150]},
        )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            auditor.record(request.user, "accounts.sign_out")
        return super().post(request, *args, **kwargs)
