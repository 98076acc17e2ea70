"""Shapes, the shared step function and the save/load round trip on a fresh (untrained) model."""
import numpy as np
import pytest

from core.dates import model as date_model
from core.dates.data import Tx, Ty, human_vocab, machine_vocab, preprocess_data
from core.dates.decode import DateTranslator


@pytest.fixture(scope="module")
def fresh():
    return date_model.build_models()


def test_shapes(fresh):
    model, encoder, step = fresh
    X, Y_in, _ = preprocess_data([("9 may 1998", "1998-05-09")] * 3)
    assert model([X, Y_in]).shape == (3, Ty, len(machine_vocab))
    assert encoder(X).shape == (3, Tx, 2 * date_model.n_a)
    names = [layer.name for layer in model.layers]
    for course_name in ("bi_lstm", "repeator", "concatenator", "densor1", "densor2",
                        "attention_weights", "dotor", "post_attention_lstm", "output_layer"):
        assert course_name in names


def test_step_function_reproduces_the_training_model(fresh):
    """Teacher forcing in the training graph == looping the step with the same characters."""
    model, encoder, step = fresh
    translator = DateTranslator(encoder, step, model)
    pairs = [("tuesday 09 oct 1993", "1993-10-09"), ("hello", "?")]
    X, Y_in, _ = preprocess_data(pairs)
    expected = np.asarray(model([X, Y_in]))
    state = translator.encode([t for t, _ in pairs])
    for t in range(Ty):
        probs, alphas, state = translator.step(state, Y_in[:, t])
        np.testing.assert_allclose(probs, expected[:, t], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(alphas.sum(axis=1), 1.0, rtol=1e-5)


def test_save_load_round_trip(fresh, tmp_path):
    model, _, _ = fresh
    date_model.save(model, tmp_path)
    loaded, _, _ = date_model.load(tmp_path)
    X, Y_in, _ = preprocess_data([("4/28/90", "1990-04-28")])
    np.testing.assert_allclose(np.asarray(loaded([X, Y_in])), np.asarray(model([X, Y_in])), rtol=1e-6)


def test_load_refuses_another_configuration(fresh, tmp_path):
    import json

    model, _, _ = fresh
    date_model.save(model, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["n_s"] = 7
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="retrain"):
        date_model.load(tmp_path)
