"""The one threshold of publication suppression (docs/reports.md, "Suppression"): a count
from 1 to this many is not published. Here, below every app, so that the reports and any
other published count (the places map file) share it without importing the reports."""

SMALL_NUMBER_THRESHOLD = 5
