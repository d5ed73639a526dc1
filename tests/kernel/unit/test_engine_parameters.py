"""SQL parameters (personal data) never reach logs or error messages: every engine hides them (issue 11 item 8)."""

from __future__ import annotations

import pytest

from kernel.db import make_database, make_relay_engine


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///{tmp}/x.db", "postgresql+asyncpg://u@127.0.0.1:1/db"])
async def test_every_engine_hides_sql_parameters(tmp_path, url):
    db = make_database(url.format(tmp=tmp_path))
    engines = {db.writer, db.reader, make_relay_engine(db)}
    try:
        assert all(engine.sync_engine.hide_parameters for engine in engines)
    finally:
        for engine in engines:
            await engine.dispose()
