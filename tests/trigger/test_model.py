"""Saving the trigger-word model: weights that load back, without the optimizer's state."""
import numpy as np

from core.trigger import model as trigger_model


def test_a_compiled_model_saves_only_its_weights(tmp_path):
    import keras

    model = trigger_model.build_model(input_shape=(400, 101), dropout=0.2)
    plain_dir, trained_dir = tmp_path / "plain", tmp_path / "trained"
    trigger_model.save(model, plain_dir, threshold=0.9, dropout=0.2)
    model.compile(keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    x = np.random.default_rng(0).random((2, 400, 101), dtype=np.float32)
    model.train_on_batch(x, np.zeros((2, 97, 1), np.float32))  # Adam now holds two moments per weight
    trigger_model.save(model, trained_dir, threshold=0.9, dropout=0.2)
    plain, trained = (d / trigger_model.WEIGHTS for d in (plain_dir, trained_dir))
    assert abs(trained.stat().st_size - plain.stat().st_size) < 0.05 * plain.stat().st_size
    loaded, config = trigger_model.load(trained_dir, input_shape=(400, 101))
    assert config["threshold"] == 0.9
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
