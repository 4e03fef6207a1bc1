"""Self-hosted proof of work (ALTCHA v2): challenges signed by us, solutions checked by us.

The visitor's browser (the vendored ALTCHA widget) fetches a challenge, finds the counter that
reproduces a key prefix, and posts the payload with the form. The challenge is created with
the counter known to us and the derived key signed (`key_signature`): verifying a solution is
two HMACs, whatever the difficulty, while finding it costs the visitor about `counter` key
derivations. Each challenge pays for one signature only (see `UsedChallenge`).

The HMAC keys are derived from SECRET_KEY, so there is nothing to configure.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

import altcha
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

ALGORITHM = "PBKDF2/SHA-256"
COST = 1_000  # PBKDF2 iterations per attempt
MIN_COUNTER = 2_000
MAX_COUNTER = 12_000  # a few seconds' work for a phone's browser, in the background while the form is filled
LIFETIME = datetime.timedelta(minutes=30)


@cache
def _secrets() -> tuple[str, str]:
    # Cached per process: SECRET_KEY does not change while the process runs.
    return (
        salted_hmac("defensor.public.altcha", "challenge", algorithm="sha256").hexdigest(),
        salted_hmac("defensor.public.altcha", "derived-key", algorithm="sha256").hexdigest(),
    )


def challenge_create(
    *, max_counter: int = MAX_COUNTER, min_counter: int = MIN_COUNTER, cost: int = COST
) -> dict[str, object]:
    """A new signed challenge, as the widget expects it (JSON).

    Tests and the load benchmark ask for easy ones: checking a solution costs the server the
    same two HMACs whatever the difficulty, which only sets the visitor's work.
    """
    hmac_secret, hmac_key_secret = _secrets()
    counter = min_counter + secrets.randbelow(max(1, max_counter - min_counter))
    challenge = altcha.create_challenge(
        ALGORITHM,
        cost,
        counter=counter,
        expires_at=timezone.now() + LIFETIME,
        hmac_secret=hmac_secret,
        hmac_key_secret=hmac_key_secret,
    )
    return dict(challenge.to_dict())


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""
    digest: str = ""
    expires_at: datetime.datetime | None = None


def payload_verify(payload: str) -> Verdict:
    """Check a payload posted with the form (not whether it was used before: see UsedChallenge)."""
    if not payload:
        return Verdict(
            False, str(_("The anti-spam check did not run. Please wait until it is complete and send again."))
        )
    hmac_secret, hmac_key_secret = _secrets()
    try:
        parsed = altcha.Payload.from_base64(payload)  # decoded once, for the check and for its fields
        result = altcha.verify_solution(parsed, hmac_secret, hmac_key_secret=hmac_key_secret)
    except (ValueError, TypeError, AttributeError, KeyError):
        result = None
    if result is None or result.error:
        return Verdict(False, str(_("The anti-spam check failed. Please reload the page and try again.")))
    if result.expired:
        return Verdict(False, str(_("The anti-spam check has expired. Please reload the page and try again.")))
    if not result.verified:
        return Verdict(False, str(_("The anti-spam check failed. Please reload the page and try again.")))
    signature = str(parsed.challenge.signature)
    expires = parsed.challenge.parameters.expires_at
    return Verdict(
        True,
        digest=hashlib.sha256(signature.encode()).hexdigest(),
        expires_at=datetime.datetime.fromtimestamp(int(expires), tz=datetime.UTC) if expires else None,
    )


def solve(challenge: dict[str, object]) -> str:
    """Solve a challenge as the widget would, and return the payload (tests and the benchmark)."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=120)
    if solution is None:
        raise RuntimeError("the challenge could not be solved in time")
    return str(altcha.Payload(parsed, solution).to_base64())
