"""Loaded by pytest before Django is configured (`-p defensor.testing_env`)."""

import os

os.environ.setdefault("DEFENSOR_ENV", "test")
os.environ.setdefault("DEFENSOR_DATABASE_URL", "sqlite:///:memory:")
