from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "harbour.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Registers the rules predicates behind user.has_perm (the permission layer).
        from . import permissions  # noqa: F401
