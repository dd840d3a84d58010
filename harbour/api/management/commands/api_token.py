"""Issue, revoke and list API tokens from the command line (docs/api.md). Audited as the
command line, like the page for administrators (/staff/api-tokens/)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from harbour.api import tokens
from harbour.api.models import ApiToken, Scope

ACTOR = "api_token command"


class Command(BaseCommand):
    help = "Issue, revoke or list API tokens. The secret is printed once, at issue."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="issue a token and print its secret once")
        issue.add_argument("--organisation", required=True)
        issue.add_argument("--purpose", required=True)
        issue.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        issue.add_argument(
            "--child", action="append", default=[], dest="children", help="a person id"
        )
        issue.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        actions.add_parser("list", help="every token, without secrets")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "issue":
                issued = tokens.issue(
                    ACTOR,
                    organisation=options["organisation"],
                    purpose=options["purpose"],
                    scopes=options["scopes"],
                    children=options["children"],
                    days=options["days"],
                )
                self.stdout.write(
                    f"token {issued.token.prefix} for {issued.token.organisation}, expires "
                    f"{issued.token.expires_at.isoformat()}"
                )
                self.stdout.write(f"secret (shown once): {issued.secret}")
            elif action == "revoke":
                token = ApiToken.objects.filter(prefix=options["prefix"]).first()
                if token is None:
                    raise CommandError(f"no token has the prefix {options['prefix']}")
                tokens.revoke(ACTOR, token)
                self.stdout.write(f"token {token.prefix} revoked")
            else:
                now = timezone.now()
                for token in ApiToken.objects.all():
                    state = (
                        "revoked"
                        if token.revoked_at
                        else ("expired" if token.expires_at <= now else "active")
                    )
                    self.stdout.write(
                        f"{token.prefix}\t{state}\t{token.organisation}\t{token.purpose}\t"
                        f"{','.join(token.scope_codes)}\texpires {token.expires_at.isoformat()}"
                    )
        except ValidationError as error:
            messages = (
                [f"{name}: {' '.join(m)}" for name, m in error.message_dict.items()]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError("; ".join(messages)) from None
