"""Casework: the pages and queries that span the domain apps (the coordinator's dashboard,
the child's page, the child's chronology and flags).

Casework sits above every domain app: it may import any of them, and none of them imports
it (casework/tests/test_layering.py), so dependencies point only downward.
"""
