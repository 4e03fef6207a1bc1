"""The proof-of-work check: the quick road never accepts what the ALTCHA library refuses.

No database, no visitor: these are the checks behind the public sign-on (whose pages are
tested with the personas in test_defences and test_flow).
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any

import altcha
import pytest
from altcha.v2 import _canonical_json

from defensor.public import proof_of_work


def _solved(**challenge: Any) -> str:
    return proof_of_work.solve(proof_of_work.challenge_create(max_counter=3, min_counter=1, cost=1, **challenge))


def _decoded(payload: str) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(payload)))


def _encoded(data: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def _changed(payload: str, change: Callable[[dict[str, Any]], None]) -> str:
    data = _decoded(payload)
    change(data)
    return _encoded(data)


def _library_verifies(payload: str) -> bool:
    hmac_secret, hmac_key_secret = proof_of_work._secrets()
    try:
        result = altcha.verify_solution(payload, hmac_secret, hmac_key_secret=hmac_key_secret)
    except (ValueError, TypeError, AttributeError, KeyError):
        return False
    return bool(result.verified) and not result.error


def _quick(payload: str) -> bool:
    hmac_secret, hmac_key_secret = proof_of_work._secrets()
    return proof_of_work._verified_quickly(altcha.Payload.from_base64(payload), hmac_secret, hmac_key_secret)


def _signed_by_us(parameters: dict[str, Any]) -> dict[str, Any]:
    """A challenge with these parameters, properly signed with our keys and solved."""
    hmac_secret, hmac_key_secret = proof_of_work._secrets()
    challenge = altcha.create_challenge(
        proof_of_work.ALGORITHM,
        1,
        counter=2,
        hmac_secret=hmac_secret,
        hmac_key_secret=hmac_key_secret,
        **parameters,
    )
    return _decoded(proof_of_work.solve(challenge.to_dict()))


def test_our_challenges_canonical_json_is_json_with_sorted_keys() -> None:
    for _n in range(20):
        parameters = _decoded(_solved())["challenge"]["parameters"]
        assert _canonical_json(parameters) == json.dumps(
            parameters, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


def test_a_good_payload_is_verified_by_the_quick_road() -> None:
    payload = _solved()
    assert _quick(payload)
    assert _library_verifies(payload)
    verdict = proof_of_work.payload_verify(payload)
    assert verdict.ok
    assert verdict.expires_at is not None and verdict.expires_at > datetime.datetime.now(tz=datetime.UTC)


def _cost(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["cost"] += 1


def _signature(data: dict[str, Any]) -> None:
    data["challenge"]["signature"] = "0" * 64


def _derived_key(data: dict[str, Any]) -> None:
    data["solution"]["derivedKey"] = "00" * 32


def _derived_key_spaced(data: dict[str, Any]) -> None:
    key = data["solution"]["derivedKey"]
    data["solution"]["derivedKey"] = f"{key[:2]} {key[2:]}"  # bytes.fromhex would take it; ALTCHA does not


def _key_signature_dropped(data: dict[str, Any]) -> None:
    del data["challenge"]["parameters"]["keySignature"]


def _expiry_later(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["expiresAt"] += 3600


def _expiry_as_float(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["expiresAt"] += 0.5


def _signature_not_text(data: dict[str, Any]) -> None:
    data["challenge"]["signature"] = 12345


def _signature_lone_surrogate(data: dict[str, Any]) -> None:
    data["challenge"]["signature"] = "\ud800" + data["challenge"]["signature"][1:]


@pytest.mark.parametrize(
    "change",
    [
        _cost,
        _signature,
        _derived_key,
        _derived_key_spaced,
        _key_signature_dropped,
        _expiry_later,
        _expiry_as_float,
        _signature_not_text,
        _signature_lone_surrogate,
    ],
)
def test_a_changed_payload_is_refused_on_both_roads(change: Callable[[dict[str, Any]], None]) -> None:
    payload = _changed(_solved(), change)
    assert not _quick(payload)
    assert not _library_verifies(payload)
    assert not proof_of_work.payload_verify(payload).ok


def test_an_expired_challenge_goes_to_the_library_which_says_expired() -> None:
    past = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=1)
    payload = _encoded(_signed_by_us({"expires_at": past}))
    assert not _quick(payload)
    verdict = proof_of_work.payload_verify(payload)
    assert not verdict.ok
    assert "expired" in verdict.message


def test_a_challenge_the_quick_road_does_not_know_is_left_to_the_library() -> None:
    # Signed by us, but with a value whose canonical JSON is not json.dumps's: the library verifies it.
    future = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5)
    payload = _encoded(_signed_by_us({"expires_at": future, "data": {"b": 1.0, "a": "\u2028 é"}}))
    assert not _quick(payload)
    assert _library_verifies(payload)
    assert proof_of_work.payload_verify(payload).ok


def test_a_challenge_signed_with_another_key_is_refused_on_both_roads() -> None:
    foreign = altcha.create_challenge("PBKDF2/SHA-256", 1, counter=2, hmac_secret="not-ours", hmac_key_secret="x")
    payload = proof_of_work.solve(foreign.to_dict())
    assert not _quick(payload)
    assert not proof_of_work.payload_verify(payload).ok
