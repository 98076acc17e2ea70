"""Helpers for AppTest: open a page, read its plotly figures (Plotly 7 sends numpy arrays as base64)."""
import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "pages"


def open_page(name: str, timeout: float = 120) -> AppTest:
    """pages/<name>.py run once, checked for exceptions."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
    at.run()
    assert not at.exception
    return at


def values(array):
    """A plotly array as numpy: {"dtype", "bdata", "shape"} (base64) or a plain list."""
    if isinstance(array, dict):
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = array.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(array)


def figures(at):
    """Every plotly chart on the page, as dicts."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
