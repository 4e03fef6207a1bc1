"""What the public site remembers: proof-of-work challenges spent on no new signature (until they expire).

A proof of work that pays for a new signature is spent on the signature's row
(`Signature.proof_digest`, unique). One sent with an email that had signed already writes no
row; it is kept here, and every sign-on looks here first, in its transaction. A table rather
than the cache: Django's database cache culls entries when it holds more than a few hundred,
which under load would forget spent challenges and let them be replayed.
"""

from __future__ import annotations

from django.db import models

from defensor.core.fields import RowIdField


class UsedChallenge(models.Model):
    # Nothing refers to these rows; a purged one's key may be given again.
    id = RowIdField(primary_key=True)
    # SHA-256 of the challenge's signature: nothing about the visitor.
    digest = models.CharField(max_length=64, unique=True)
    # Not indexed: only the daily purge reads this column (a scan of at most a day's rows).
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"used challenge {self.digest[:12]}"
