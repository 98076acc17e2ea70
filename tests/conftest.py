import ctypes
import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pylibsrtp  # noqa: F401  must come before TensorFlow: see ui/__init__.py
import pytest


def _hand_back_freed_memory() -> None:
    """Collect cycles (Keras models and tf.functions hold many), then ask glibc to return the
    freed heap to the system: TensorFlow's compiles leave hundreds of MB free but still mapped,
    and the next module's compiles would pile on top of them."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass


def pytest_collection_modifyitems(config, items):
    """The browser test first: its server and two Chromiums need ~3.5 GB of their own, best
    added to this process while it holds little (it only grows as the other modules run)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)  # stable: the rest keep their order


@pytest.fixture(autouse=True, scope="module")
def free_memory_after_each_module():
    """One process runs the whole suite; keep what one module built from adding up."""
    yield
    _hand_back_freed_memory()


@pytest.fixture(scope="session")
def translator():
    """The committed, trained date translator."""
    from core.dates.decode import DateTranslator

    return DateTranslator.load()
