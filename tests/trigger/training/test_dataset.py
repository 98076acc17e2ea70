"""Examples on the fly: shapes the model takes, labels that match, repeatable batches."""
import numpy as np
import pytest

from core.trigger.synth import Tx, Ty, n_freq
from core.trigger.training.dataset import TriggerWordDataset, make_batch
from core.trigger.voicebank.augment import Augmenter
from core.trigger.voicebank.bank import load_bundled_bank, split_bank


@pytest.fixture(scope="module")
def bank():
    return load_bundled_bank()


def test_make_batch_shapes(bank):
    X, Y = make_batch(bank.activates, bank.negatives, bank.backgrounds, 3, np.random.default_rng(0))
    assert X.shape == (3, Tx, n_freq) and Y.shape == (3, Ty, 1)
    assert X.dtype == Y.dtype == np.float32 and set(np.unique(Y)) <= {0.0, 1.0}


def test_py_dataset_is_repeatable_and_changes_by_epoch(bank):
    train, dev = split_bank(bank)
    dataset = TriggerWordDataset(train, batch_size=2, batches_per_epoch=3, seed=1,
                                 augmenter=Augmenter(), n_generated_backgrounds=2)
    assert len(dataset) == 3 and len(dataset.backgrounds) == len(bank.backgrounds) + 2
    X, Y = dataset[1]
    X2, Y2 = dataset[1]
    assert X.shape == (2, Tx, n_freq) and Y.shape == (2, Ty, 1)
    assert X.tobytes() == X2.tobytes() and Y.tobytes() == Y2.tobytes()
    dataset.on_epoch_end()
    assert dataset[1][0].tobytes() != X.tobytes()
    labelled = sum(dataset[i][1].sum() for i in range(3))
    assert labelled > 0  # some "activate" somewhere in 6 examples
    assert len(TriggerWordDataset(dev, n_generated_backgrounds=0).activates) == len(dev.activates)
