"""The territorial police forces of England and Wales and British Transport Police, as
reference data for police CSV extracts. The short codes are Harbour's own (shown on
pages, not exchanged with the police)."""

from django.db import migrations

FORCES = [
    ("ASP", "Avon and Somerset Constabulary"),
    ("BED", "Bedfordshire Police"),
    ("BTP", "British Transport Police"),
    ("CAM", "Cambridgeshire Constabulary"),
    ("CHE", "Cheshire Constabulary"),
    ("COL", "City of London Police"),
    ("CLE", "Cleveland Police"),
    ("CUM", "Cumbria Constabulary"),
    ("DER", "Derbyshire Constabulary"),
    ("DCP", "Devon and Cornwall Police"),
    ("DOR", "Dorset Police"),
    ("DUR", "Durham Constabulary"),
    ("DPP", "Dyfed-Powys Police"),
    ("ESX", "Essex Police"),
    ("GLO", "Gloucestershire Constabulary"),
    ("GMP", "Greater Manchester Police"),
    ("GWE", "Gwent Police"),
    ("HAM", "Hampshire and Isle of Wight Constabulary"),
    ("HER", "Hertfordshire Constabulary"),
    ("HUM", "Humberside Police"),
    ("KEN", "Kent Police"),
    ("LAN", "Lancashire Constabulary"),
    ("LEI", "Leicestershire Police"),
    ("LIN", "Lincolnshire Police"),
    ("MER", "Merseyside Police"),
    ("MPS", "Metropolitan Police Service"),
    ("NFK", "Norfolk Constabulary"),
    ("NWP", "North Wales Police"),
    ("NYP", "North Yorkshire Police"),
    ("NTH", "Northamptonshire Police"),
    ("NOR", "Northumbria Police"),
    ("NOT", "Nottinghamshire Police"),
    ("SWP", "South Wales Police"),
    ("SYP", "South Yorkshire Police"),
    ("STA", "Staffordshire Police"),
    ("SUF", "Suffolk Constabulary"),
    ("SUR", "Surrey Police"),
    ("SUS", "Sussex Police"),
    ("TVP", "Thames Valley Police"),
    ("WAR", "Warwickshire Police"),
    ("WMC", "West Mercia Police"),
    ("WMP", "West Midlands Police"),
    ("WYP", "West Yorkshire Police"),
    ("WIL", "Wiltshire Police"),
]


def add_forces(apps, schema_editor):
    PoliceForce = apps.get_model("missing", "PoliceForce")
    for code, name in FORCES:
        PoliceForce.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("missing", "0003_police_upload")]

    operations = [migrations.RunPython(add_forces, migrations.RunPython.noop)]
