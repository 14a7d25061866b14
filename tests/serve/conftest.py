"""The serve tests' shared Square rig (tests/serve/test_sync.py's Rig on the fake Square API)."""

from __future__ import annotations

import pytest

from tests.serve.test_sync import POS, TOKEN, Rig
from tests.support.fake_pos import FakePos


@pytest.fixture
def square(tmp_path, request):
    """A Square rig; in a module that sets ``SYNCED = True``, after its start-up sync (a whole read)."""
    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake)
        if getattr(request.module, "SYNCED", False):
            first = rig.sync("startup")
            assert first.outcome == "applied" and first.details["read"].startswith("whole: ")
            assert "incremental" not in first.details  # the first sync plans whole too
        yield rig
