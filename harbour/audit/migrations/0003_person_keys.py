# A key of their own for each person of concern, sealing the values of the events about
# them as a child's key does (docs/audit.md, "Sealed values, keys and erasure").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("person_pk", models.BigIntegerField(unique=True)),
                ("key", models.BinaryField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
