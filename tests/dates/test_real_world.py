"""The real-world set (tests/dates/real_world_dates.tsv): well formed, and the shipped model's
score on it does not quietly fall (the model card has the figure)."""
import datetime as dt
import json
import re

from core.dates.data import IMPOSSIBLE, NOT_A_DATE, ORDERS
from core.dates.model import MODEL_DIR
from core.dates.train import REAL_WORLD_FILE, evaluate, read_real_world


def test_rows_are_well_formed():
    rows = read_real_world()
    assert len(rows) >= 400
    assert len({text for text, *_ in rows}) == len(rows)  # no duplicates
    for text, answer, source, order in rows:
        assert text.strip() and source and order in ORDERS, text
        if answer not in (NOT_A_DATE, IMPOSSIBLE):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer) and dt.date.fromisoformat(answer), text
    assert all(line.count("\t") == 3 for line in REAL_WORLD_FILE.read_text().splitlines()
               if line and not line.startswith("#"))


def test_shipped_model_keeps_its_real_world_score(translator):
    report = evaluate(translator, read_real_world())
    card = json.loads((MODEL_DIR / "metrics.json").read_text())["real_world"]
    assert report["n"] == card["n"]
    assert report["exact_match"] >= card["exact_match"] - 0.005  # the card's figure, to within rounding
    assert set(report["per_order"]) == set(ORDERS)
