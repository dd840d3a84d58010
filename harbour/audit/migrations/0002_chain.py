# The hash chain, the children an event is about, sealed values with per-child keys, and
# the triggers that make the trail append-only (docs/audit.md).

import django.db.models.deletion
from django.db import migrations, models


def chain_existing_events(apps, schema_editor):
    """Number and hash the events written before the chain, in the order they were
    written. Their details stay as they were (they are not sealed)."""
    from harbour.audit.chain import GENESIS, compute_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous = GENESIS
    sequence = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        sequence += 1
        digest = compute_hash(
            sequence=sequence,
            previous_hash=previous,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            details=event.details,
            children=[],
            sealed_for=None,
            sealed="",
        )
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=sequence, previous_hash=previous, hash=digest
        )
        previous = digest
    AuditChainHead.objects.create(pk=1, sequence=sequence, hash=previous)


def install_triggers(apps, schema_editor):
    from harbour.audit import triggers

    triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from harbour.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"base_manager_name": "objects", "ordering": ["sequence"]},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sealed_for",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sealed",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(db_index=True, max_length=150),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="ChildKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("child_pk", models.BigIntegerField(unique=True)),
                ("key", models.BinaryField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="AuditSubject",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("child_pk", models.BigIntegerField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subjects",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={
                "base_manager_name": "objects",
                "indexes": [models.Index(fields=["child_pk", "event"], name="audit_subject_child")],
                "constraints": [
                    models.UniqueConstraint(fields=("event", "child_pk"), name="audit_subject_key")
                ],
            },
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
