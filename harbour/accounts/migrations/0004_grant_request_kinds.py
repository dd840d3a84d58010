"""GrantRequest gains a kind: besides roles and places on an access list, a new
set-password link and a reset of two factors for someone holding a guarded role wait for a
second administrator too (docs/roles.md, "Four eyes")."""

from django.db import migrations, models


def kind_from_what_was_asked(apps, schema_editor):
    # Every request so far was either for a role or for a place on an access list.
    GrantRequest = apps.get_model("accounts", "GrantRequest")
    GrantRequest.objects.filter(child__isnull=False).update(kind="PLACE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_grant_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="grantrequest",
            name="kind",
            field=models.CharField(
                choices=[
                    ("ROLE", "A role"),
                    ("PLACE", "A place on an access list"),
                    ("PASSWORD", "A new set-password link"),
                    ("TWO_FACTOR", "A reset of two factors"),
                ],
                default="ROLE",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(kind_from_what_was_asked, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="grantrequest",
            name="grant_request_role_or_child",
        ),
        migrations.RemoveConstraint(
            model_name="grantrequest",
            name="grant_request_one_pending_role",
        ),
        migrations.AddConstraint(
            model_name="grantrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind", "ROLE"),
                        (
                            "role__in",
                            [
                                "COORDINATOR",
                                "RHI_WORKER",
                                "SOCIAL_WORKER",
                                "EXPLOITATION_LEAD",
                                "ANALYST",
                                "AUDITOR",
                                "ADMINISTRATOR",
                            ],
                        ),
                        ("child__isnull", True),
                    ),
                    models.Q(("kind", "PLACE"), ("role", ""), ("child__isnull", False)),
                    models.Q(
                        ("kind__in", ["PASSWORD", "TWO_FACTOR"]),
                        ("role", ""),
                        ("child__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="grant_request_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="grantrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("child__isnull", True), ("status", "PENDING")),
                fields=("user", "kind", "role"),
                name="grant_request_one_pending",
            ),
        ),
    ]
