import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pylibsrtp  # noqa: F401  must come before TensorFlow: see loaders.py
import pytest


@pytest.fixture(scope="session")
def translator():
    """The committed, trained date translator."""
    from core.dates.decode import DateTranslator

    return DateTranslator.load()
