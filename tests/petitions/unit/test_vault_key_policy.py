"""The vault key policy (issue 11, item 6): the public development constant opens every sealed value, so it is
refused everywhere except in dev with an explicit opt-in (and a loud warning); an unset key is refused in dev and
production, and a test process gets a random key of its own."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from services.petitions.adapters.crypto import Sealer, VaultError
from services.petitions.settings import DEV_VAULT_KEY, PetitionsSettings, VaultKeyError
from tests.petitions.support import vault_key

PROD = dict(environment="production", auth_jwks_url="https://idp.example/jwks")


@pytest.mark.parametrize("key", [None, DEV_VAULT_KEY, "changethis"])
def test_plain_dev_refuses_an_unset_or_development_key_with_a_clear_error(key):
    settings = PetitionsSettings(_env_file=None, vault_key=key)
    with pytest.raises(VaultKeyError, match="PETITIONS_VAULT_KEY .*refuses to start.*PETITIONS_ALLOW_DEV_VAULT_KEY"):
        settings.vault_keys()


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_constant_is_refused_outside_dev_even_with_the_opt_in(environment):
    extra = PROD if environment == "production" else {"environment": environment}
    with pytest.raises(ValidationError, match="only allowed in the dev environment"):
        PetitionsSettings(_env_file=None, **{**extra, "vault_key": vault_key()}, allow_dev_vault_key=True)
    if environment == "test":
        with pytest.raises(VaultKeyError):
            PetitionsSettings(_env_file=None, environment="test", vault_key=DEV_VAULT_KEY).vault_keys()
    else:
        with pytest.raises(ValidationError, match="vault_key"):
            PetitionsSettings(_env_file=None, **PROD, vault_key=DEV_VAULT_KEY)
        with pytest.raises(ValidationError, match="vault_key"):
            PetitionsSettings(_env_file=None, **PROD)


def test_dev_with_the_explicit_opt_in_uses_the_constant_and_warns_loudly(caplog):
    settings = PetitionsSettings(_env_file=None, allow_dev_vault_key=True)
    with caplog.at_level(logging.WARNING, logger="youwei.petitions.vault"):
        first = settings.vault_keys()[0]
    assert "PUBLIC DEVELOPMENT KEY" in caplog.text
    assert first == PetitionsSettings(_env_file=None, vault_key=DEV_VAULT_KEY, allow_dev_vault_key=True).vault_keys()[0]


def test_a_test_process_without_a_key_gets_a_random_one_never_the_constant():
    a, b = PetitionsSettings(_env_file=None, environment="test"), PetitionsSettings(_env_file=None, environment="test")
    assert a.vault_keys()[0] == a.vault_keys()[0]
    assert a.vault_keys()[0] != b.vault_keys()[0]
    dev = PetitionsSettings(_env_file=None, allow_dev_vault_key=True).vault_keys()[0]
    sealed = Sealer([dev]).seal(b"x", context="c", record_id="r")
    with pytest.raises(VaultError):
        Sealer(a.vault_keys()).open(sealed, context="c", record_id="r")


def test_a_real_key_is_used_as_given_with_previous_keys_after_it():
    current, previous = vault_key(), vault_key()
    keys = PetitionsSettings(_env_file=None, vault_key=current, vault_previous_keys=[previous]).vault_keys()
    assert len(keys) == 2 and keys[0] != keys[1]


def test_the_petitions_process_refuses_to_start_in_plain_dev():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONS_")}
    env.update(PETITIONS_ENVIRONMENT="dev", PETITIONS_DATABASE_URL="sqlite+aiosqlite:///:memory:")
    out = subprocess.run(
        [sys.executable, "-c", "from services.petitions.main import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "VaultKeyError: PETITIONS_VAULT_KEY is not set" in out.stderr
