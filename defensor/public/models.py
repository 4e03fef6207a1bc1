"""What the public site remembers: the proof-of-work challenges already used (until they expire).

A table rather than the cache: Django's database cache culls entries when it holds more than
a few hundred, which under load would forget used challenges and let them be replayed. Here a
replay is a unique-constraint violation, in the same transaction as the signature it paid for.
"""

from __future__ import annotations

from django.db import models

from defensor.core.fields import RowIdField


class UsedChallenge(models.Model):
    # Nothing refers to these rows; a purged one's key may be given again.
    id = RowIdField(primary_key=True)
    # SHA-256 of the challenge's signature: nothing about the visitor.
    digest = models.CharField(max_length=64, unique=True)
    # Not indexed: every sign-on writes a row here, and only the daily purge reads this column
    # (a scan of at most a day of sign-ons, once a day).
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"used challenge {self.digest[:12]}"
