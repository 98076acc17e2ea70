"""The model card: its text is the shipped card's, and it warns where one voice dominates dev."""
import json

from core.trigger.model import MODEL_DIR
from core.trigger.training import card, train
from core.trigger.voicebank.bank import BUNDLED_DIR, load_bank, split_bank


def test_the_shipped_card_is_what_its_metrics_write():
    """Rewriting models/trigger/MODEL_CARD.md from its metrics.json (card.rewrite_card) changes nothing."""
    written = card.model_card(json.loads((MODEL_DIR / card.METRICS).read_text()))
    assert written == (MODEL_DIR / card.CARD).read_text()


def test_the_card_warns_when_one_voice_says_a_third_of_dev():
    _, dev = split_bank(load_bank(BUNDLED_DIR))
    v = train.main_voice(dev)
    assert v["of_negatives"] == len(dev.negatives) and 0 < v["activates"] + v["negatives"]
    heavy = dict(voice="festival:ked", activates=100, negatives=100, of_activates=258, of_negatives=261)
    assert "festival:ked says 100 of the 261 dev negative clips" in card.main_voice_note({"dev_main_voice": heavy})
    assert card.main_voice_note({"dev_main_voice": dict(heavy, negatives=50)}) == ""
    assert card.main_voice_note({}) == ""  # cards of older runs
