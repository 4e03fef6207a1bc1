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
import hmac
import json
import re
import secrets
import time
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


_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


def _hmac_hex(key: str, data: bytes) -> str:
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def _verified_quickly(parsed: altcha.Payload, hmac_secret: str, hmac_key_secret: str) -> bool:
    """True when the payload holds, by a shorter road than the library's; False means "ask the library".

    The library signs ALTCHA's canonical JSON of the challenge's parameters (JavaScript's
    JSON.stringify of the keys sorted), which it builds in Python one character at a time. Our
    own challenges hold only names, ASCII strings and whole numbers: their canonical JSON is
    what `json.dumps` writes with sorted keys and no spaces. If the signature matches that
    text, the parameters are the ones we signed (the same JSON text can only be read one way),
    and the rest is checked here as the library checks it: not expired, the derived key's
    signature. Anything else (a failure of any kind, an unusual value) goes to the library,
    which gives the verdict and its reason. So this never accepts what the library refuses.
    """
    challenge, solution = parsed.challenge, parsed.solution
    parameters = challenge.parameters
    expires, signature, key_signature = parameters.expires_at, challenge.signature, parameters.key_signature
    derived = solution.derived_key
    if type(expires) is not int or expires < time.time():
        return False
    if not (isinstance(signature, str) and isinstance(key_signature, str) and isinstance(derived, str)):
        return False
    if not signature or not key_signature or _HEX.fullmatch(derived) is None:
        return False
    try:
        canonical = json.dumps(
            parameters.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
        return hmac.compare_digest(signature.encode(), _hmac_hex(hmac_secret, canonical).encode()) and (
            hmac.compare_digest(key_signature.encode(), _hmac_hex(hmac_key_secret, bytes.fromhex(derived)).encode())
        )
    except (TypeError, ValueError):  # not JSON, or not text a signature can be: the library decides
        return False


def payload_verify(payload: str) -> Verdict:
    """Check a payload posted with the form (not whether it was used before: see UsedChallenge)."""
    if not payload:
        return Verdict(
            False, str(_("The anti-spam check did not run. Please wait until it is complete and send again."))
        )
    hmac_secret, hmac_key_secret = _secrets()
    try:
        parsed = altcha.Payload.from_base64(payload)  # decoded once, for the check and for its fields
        if _verified_quickly(parsed, hmac_secret, hmac_key_secret):
            result = altcha.VerifySolutionResult(
                expired=False, invalid_signature=False, invalid_solution=False, time=0.0, verified=True
            )
        else:
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
