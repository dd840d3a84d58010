"""Settings for the test suite: the production settings with test-friendly defaults."""

import os

os.environ.setdefault("SECRET_KEY", "harbour-test-key-not-secret")
os.environ.setdefault("LOCAL_AUTHORITY_CODE", "343")
# The test client speaks plain HTTP; the security tests turn HTTPS rules on themselves.
os.environ.setdefault("HARBOUR_ALLOW_HTTP", "1")

from harbour.settings import *  # noqa: F403

# Fast hashing: the suite creates many users and hashes are not what it tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Most tests sign in with force_login; the sign-in tests turn two factors on themselves.
HARBOUR_REQUIRE_TWO_FACTOR = False

# Tests change records and read the reports straight after: every report worked out afresh
# (harbour/reports/tests/test_recent_reports.py turns keeping them on).
HARBOUR_REPORT_CACHE_SECONDS = 0
