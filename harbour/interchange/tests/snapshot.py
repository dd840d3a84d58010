from harbour.interchange.tables import TABLES


def register_snapshot() -> dict[str, list[tuple]]:
    """Every stored value of every interchange table, related records named by their
    natural keys, so that two registers holding the same records compare equal."""
    snapshot = {}
    for table in TABLES:
        natural = {ref.field: f"{ref.field}__{ref.column}" for ref in table.references}
        names = [
            natural.get(field.name, field.attname)
            for field in table.model._meta.concrete_fields
            if not field.primary_key
        ]
        rows = table.model._default_manager.values_list(*names)
        snapshot[table.file_name] = sorted(rows, key=repr)
    return snapshot


def stored_ids() -> dict[str, list[int]]:
    return {
        table.file_name: sorted(table.model._default_manager.values_list("pk", flat=True))
        for table in TABLES
    }
