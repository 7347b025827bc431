"""Fixtures of the export tests (helpers that build images and workshops: export_helpers.py)."""
import pytest


@pytest.fixture
def uploads(session, tmp_path):
    """The upload directory the domain uses for this session (as the app configures it)."""
    root = tmp_path / "uploads"
    session.info["upload_path"] = str(root)
    return root
