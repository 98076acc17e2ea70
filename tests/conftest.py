import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest


@pytest.fixture(scope="session")
def translator():
    """The committed, trained date translator."""
    from core.dates.decode import DateTranslator

    return DateTranslator.load()
