"""Casework: the pages and queries that span the domain apps.

    dashboard.py    the coordinator's dashboard: its capped, visible-to-the-user queries,
                    and the view (shown on the home page)
    child_page.py   the child's page and its printable version: the chronology's filter,
                    the legal statuses in force, the views (casework/urls.py)
    chronology.py   the child's story across every app, one query per kind, with links
    flags.py        frequently missing and exploitation concern, as query expressions
    presenters.py   what those pages say, worked out from rows already read (no query)

Casework sits above every domain app: it may import any of them, and none of them imports
it (casework/tests/test_layering.py), so dependencies point only downward.
"""
