"""Averaging two stages' weights (the training run that feeds it is in test_train.py)."""
import numpy as np
import pytest

from core.trigger.training.average import main, mix_weights


def test_mix_weights_walks_the_line_between_the_two():
    first, second = [np.zeros((2, 3)), np.ones(4)], [np.full((2, 3), 2.0), np.full(4, 3.0)]
    assert all(np.array_equal(a, b) for a, b in zip(mix_weights(first, second, 0.0), first))
    assert all(np.array_equal(a, b) for a, b in zip(mix_weights(first, second, 1.0), second))
    half = mix_weights(first, second, 0.5)
    assert np.allclose(half[0], 1.0) and np.allclose(half[1], 2.0)
    assert np.allclose(mix_weights(first, second, 0.25)[1], 1.5)


def test_mix_weights_refuses_what_is_not_a_line():
    with pytest.raises(ValueError, match="alpha"):
        mix_weights([np.zeros(2)], [np.ones(2)], 1.5)
    with pytest.raises(ValueError, match="shapes"):
        mix_weights([np.zeros(2)], [np.ones(3)], 0.5)


def test_the_command_line_says_what_is_missing(tmp_path, capsys):
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--bank", str(tmp_path), "--out", str(tmp_path / "c")]) == 1
    assert "no voice bank" in capsys.readouterr().err
