"""The dropout sweep's report (benchmarks/dropout_sweep.py; the runs themselves are train.train's)."""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "dropout_sweep.py"
spec = importlib.util.spec_from_file_location("dropout_sweep", SCRIPT)
dropout_sweep = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dropout_sweep)


def row(rate, losses, steps=300):
    return dict(rate=rate, steps=steps, dev_losses=losses, train_loss=0.05, recall=0.9,
                false_alarms_per_hour=12.0, dev_hours=1.11, minutes=12.0)


def test_the_report_has_a_row_per_rate_and_names_the_lowest_dev_loss():
    rows = [row(0.1, [[100, 0.2], [200, 0.1], [300, 0.08]]), row(0.5, [[100, 0.3], [200, 0.15], [300, 0.07]]),
            row(0.2, [[100, 0.25]], steps=120)]  # stopped early by --minutes: its missing steps show as –
    text = dropout_sweep.markdown(rows, "python benchmarks/dropout_sweep.py")
    lines = [line for line in text.splitlines() if line.startswith("| 0.")]
    assert [line.split(" | ")[0] for line in lines] == ["| 0.1", "| 0.5", "| 0.2"]
    assert "| 0.5 | 300 | 0.3000 | 0.1500 | 0.0700 |" in text and "| 0.2 | 120 | 0.2500 | – | – |" in text
    assert "Lowest dev loss at step 100 (the last step every run reached): dropout 0.1" in text
    assert "at step 300 (the last step every run reached): dropout 0.5" in dropout_sweep.markdown(rows[:2], "sweep")


def test_without_a_bank_it_says_how_to_make_one(tmp_path, capsys):
    assert dropout_sweep.main(["--bank", str(tmp_path), "--out", "-"]) == 1
    assert "no voice bank" in capsys.readouterr().err
