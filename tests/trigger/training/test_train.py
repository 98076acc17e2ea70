"""Training the trigger-word model: a two-step run, a second stage from its weights, their average."""
import functools
import json

import numpy as np
import pytest

from core.trigger import model as trigger_model
from core.trigger.training import average, train
from core.trigger.voicebank import bank as trigger_bank
from core.trigger.voicebank.bank import BUNDLED_DIR, CONFUSABLES, load_bank, split_bank


@pytest.fixture
def few_real_negatives(monkeypatch):
    """Two real recordings per word instead of all of them (reading all takes ~30 s)."""
    monkeypatch.setattr(trigger_bank, "real_negatives",
                        functools.partial(trigger_bank.real_negatives, per_word=2))


def test_confusable_weight_repeats_only_confusable_training_clips(few_real_negatives):
    plain = train.load_data(BUNDLED_DIR, seed=0)
    weighted = train.load_data(BUNDLED_DIR, seed=0, confusable_weight=3)
    training, _ = split_bank(load_bank(BUNDLED_DIR))
    confusables = sum(row["text"] in CONFUSABLES for row in training.negative_info)
    assert confusables > 0
    assert len(weighted["train_negatives"]) == len(plain["train_negatives"]) + 2 * confusables
    assert len(weighted["dev_negatives"]) == len(plain["dev_negatives"])  # dev is never weighted


def test_more_banks_add_training_clips_only_and_dev_ignores_the_training_seed(few_real_negatives):
    plain = train.load_data(BUNDLED_DIR, seed=0)
    more = train.load_data(BUNDLED_DIR, seed=5, more_banks=[BUNDLED_DIR])
    training, _ = split_bank(load_bank(BUNDLED_DIR))
    assert len(more["train_activates"]) == len(plain["train_activates"]) + len(training.activates)
    assert len(more["train_negatives"]) == len(plain["train_negatives"]) + len(training.negatives)
    assert len(more["dev_activates"]) == len(plain["dev_activates"])  # a second bank's dev voices are dropped
    assert len(more["dev_negatives"]) == len(plain["dev_negatives"])
    # dev backgrounds (and so dev mixes) come from DEV_SEED, whatever the training seed: stages compare
    for a, b in zip(plain["dev_backgrounds"], more["dev_backgrounds"]):
        np.testing.assert_array_equal(a, b)
    assert any(a.shape != b.shape or not np.array_equal(a, b)
               for a, b in zip(plain["train_backgrounds"], more["train_backgrounds"]))


def test_learning_rate_is_a_cosine_to_a_tenth():
    assert train.learning_rate(0, 100) == pytest.approx(train.LEARNING_RATE)
    assert train.learning_rate(100, 100) == pytest.approx(train.FINAL_LEARNING_RATE)
    assert train.learning_rate(0, 10, start=3e-4) == pytest.approx(3e-4)
    assert train.learning_rate(10, 10, start=3e-4) == pytest.approx(3e-5)
    assert train.learning_rate(50, 100) == pytest.approx((train.LEARNING_RATE + train.FINAL_LEARNING_RATE) / 2)


@pytest.mark.slow
def test_two_steps_a_second_stage_and_their_average_write_cards_with_every_stage(tmp_path, few_real_negatives,
                                                                                    monkeypatch):
    small_dev = dict(dev_events=3, dev_negative_only=3)
    small = dict(batch_size=2, **small_dev)
    first = tmp_path / "first"
    m1 = train.train(BUNDLED_DIR, 2, None, 0, 0.2, tmp_path / "run1", first, command="stage one", **small)
    assert m1["steps"] == 2 and len(json.loads((tmp_path / "run1" / train.PROGRESS).read_text())["losses"]) == 2
    assert {p.name for p in first.iterdir()} >= {"trigger_word.weights.h5", "config.json", "metrics.json",
                                                 "MODEL_CARD.md"}
    second = tmp_path / "second"
    m2 = train.train(BUNDLED_DIR, 1, None, 0, 0.5, tmp_path / "run2", second, command="stage two",
                     start_from=first, confusable_weight=3, start_learning_rate=3e-4, more_banks=[BUNDLED_DIR],
                     hard_negative_weight=4, **small)
    mined = json.loads((tmp_path / "run2" / train.PROGRESS).read_text())["hard_negatives"]
    assert m2["hard_negatives"] == len(mined) and m2["stages"][1]["hard_negative_weight"] == 4
    assert [s["command"] for s in m2["stages"]] == ["stage one", "stage two"]
    assert m2["stages"][1]["confusable_weight"] == 3 and m2["dropout"] == 0.2  # the first stage's rate
    card = (second / "MODEL_CARD.md").read_text()
    assert "**Stage 1.** `stage one`" in card and "**Stage 2.** `stage two`" in card and "drawn 3×" in card
    assert "training clips of bank `python -m core.trigger bank --out assets/trigger" in card
    assert (f"the {len(mined)} training negatives the starting model fired on" in card) and "drawn 4× as often" in card
    assert 0 <= m2["recall"] <= 1 and np.isfinite(m2["false_alarms_per_hour"])
    # one small step from the first stage's weights: near them, unlike a fresh start
    (before, _), (after, _) = trigger_model.load(first), trigger_model.load(second)
    drift = max(float(np.abs(np.array(a) - np.array(b)).max())
                for a, b in zip(before.trainable_weights, after.trainable_weights))
    assert 0 < drift < 0.01  # Adam's first step moves a weight by about the learning rate

    # stage 3: halfway between the two, judged the same way; a card that lists all three
    third = tmp_path / "third"
    heard = json.loads((second / "metrics.json").read_text())
    heard["voices_train"] = heard["voices_train"] + ["festival:another_banks_voice"]  # as --more-bank would add
    (second / "metrics.json").write_text(json.dumps(heard))
    # judged on as few dev mixes as the stages above (the default, 800 mixes, holds 1.8 GB of spectrograms)
    monkeypatch.setattr(train, "judge", functools.partial(train.judge, **small_dev))
    m3 = average.average(first, second, 0.5, BUNDLED_DIR, third, command="stage three")
    assert [s["command"] for s in m3["stages"]] == ["stage one", "stage two", "stage three"]
    mixed, _ = trigger_model.load(third)
    for a, b, m in zip(before.weights, after.weights, mixed.weights):
        np.testing.assert_allclose(np.array(m), (np.array(a) + np.array(b)) / 2, atol=1e-6)
    assert "festival:another_banks_voice" in m3["voices_train"]  # the averaged models' voices, not one bank's
    assert set(m2["voices_train"]) <= set(m3["voices_train"])
    card = (third / "MODEL_CARD.md").read_text()
    assert "**Stage 3.** `stage three`" in card and "0.5 × stage 2's" in card and "(stage 1)" in card
    assert json.loads((third / "config.json").read_text())["threshold"] == m3["threshold"]
    with pytest.raises(ValueError, match="not trained from"):
        average.average(second, first, 0.5, BUNDLED_DIR, tmp_path / "nonsense")


def test_mining_finds_the_negatives_a_model_fires_on(few_real_negatives):
    data = train.load_data(BUNDLED_DIR, seed=0)
    data["negative_pool"] = data["negative_pool"][:6]  # six clips keep it quick
    model, _ = trigger_model.load()
    assert train.mine_hard_negatives(model, data, seed=0, score=0.0) == list(range(6))  # every clip scores ≥ 0
    assert train.mine_hard_negatives(model, data, seed=0, score=1.01) == []  # no probability exceeds 1
    some = train.mine_hard_negatives(model, data, seed=0, score=0.05, chunk=4)
    assert some == train.mine_hard_negatives(model, data, seed=0, score=0.05)  # chunking changes nothing
    assert set(some) <= set(range(6))
