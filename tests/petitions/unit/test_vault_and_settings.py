"""Sealing (AES-GCM bound to the record), keyed pseudonyms, receipt codes, and the settings that guard the key."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from services.petitions.adapters import receipts
from services.petitions.adapters.crypto import Sealer, VaultError
from services.petitions.settings import PetitionsSettings
from tests.petitions.support import vault_key


def test_a_sealed_value_opens_only_for_its_record_and_context():
    sealer = Sealer([os.urandom(32)])
    sealed = sealer.seal(b"Wang Wu 13900000000", context="reporter", record_id="r-1")
    assert b"Wang" not in sealed and b"1390000" not in sealed
    assert sealer.open(sealed, context="reporter", record_id="r-1") == b"Wang Wu 13900000000"
    for context, record in (("reporter", "r-2"), ("content", "r-1")):
        with pytest.raises(VaultError):
            sealer.open(sealed, context=context, record_id=record)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(VaultError):
        sealer.open(tampered, context="reporter", record_id="r-1")
    with pytest.raises(VaultError):
        sealer.open(b"plain", context="reporter", record_id="r-1")


def test_each_seal_uses_a_fresh_nonce():
    sealer = Sealer([os.urandom(32)])
    assert sealer.seal(b"x", context="c", record_id="r") != sealer.seal(b"x", context="c", record_id="r")


def test_rotated_keys_still_open_old_values_and_unknown_keys_do_not():
    old, new = os.urandom(32), os.urandom(32)
    sealed = Sealer([old]).seal(b"v", context="c", record_id="r")
    assert Sealer([new, old]).open(sealed, context="c", record_id="r") == b"v"
    with pytest.raises(VaultError):
        Sealer([new]).open(sealed, context="c", record_id="r")


def test_fingerprints_are_stable_keyed_and_reveal_nothing():
    key = os.urandom(32)
    a, b = Sealer([key]), Sealer([key])
    assert a.fingerprint("id:110101199003077777") == b.fingerprint("id:110101199003077777")
    assert Sealer([os.urandom(32)]).fingerprint("id:110101199003077777") != a.fingerprint("id:110101199003077777")
    assert "1101011990" not in a.fingerprint("id:110101199003077777")


def test_receipt_codes_are_random_normalized_and_verified_by_a_slow_hash():
    codes = {receipts.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 20 for c in codes)
    code = next(iter(codes))
    shown = receipts.display(code)
    assert shown.count("-") == 4
    typed = shown.lower().replace("0", "o").replace("-", " ")
    assert receipts.normalize(typed) == code
    salt = receipts.new_salt()
    digest = receipts.digest(code, salt, 2**10)
    assert receipts.matches(code, salt, 2**10, digest)
    other = receipts.new_code()
    assert not receipts.matches(other, salt, 2**10, digest)
    for bad in (None, "", "short", "X" * 65, code + "A", "!" * 20):
        assert receipts.normalize(bad) is None


def test_production_refuses_a_placeholder_or_malformed_vault_key():
    base = dict(_env_file=None, environment="production", auth_jwks_url="https://idp.example/jwks")
    with pytest.raises(ValidationError, match="vault_key"):
        PetitionsSettings(**base)
    with pytest.raises(ValidationError, match="32 random bytes"):
        PetitionsSettings(**base, vault_key="not-base64-of-32-bytes")
    settings = PetitionsSettings(**base, vault_key=vault_key())
    assert len(settings.vault_keys()[0]) == 32


def test_configurable_rows_are_checked():
    with pytest.raises(ValidationError, match="not configurable"):
        PetitionsSettings(_env_file=None, deadline_overrides={"ACCEPT_NOTICE": "30WD"})
    with pytest.raises(ValidationError):
        PetitionsSettings(_env_file=None, receipt_scrypt_n=1000)
    s = PetitionsSettings(
        _env_file=None,
        deadline_overrides={"INQUIRY_REPLY": "10WD"},
        appeal_overrides={"ACCOUNTABILITY/APPEAL": {"filing": "15D", "decision": "30D"}},
    )
    assert s.deadline_overrides == {"INQUIRY_REPLY": "10WD"}
