"""benchmarks/proxy_table.py: proxy reports in the model card's own rows, and points over another report."""
import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "proxy_table.py"
spec = importlib.util.spec_from_file_location("proxy_table", SCRIPT)
proxy_table = importlib.util.module_from_spec(spec)
sys.modules["proxy_table"] = proxy_table
spec.loader.exec_module(proxy_table)
KEPT = proxy_table.PROXY_DIR


def test_two_reports_give_their_own_figures_and_the_points_between_them():
    v4, v7 = KEPT / "computer_wide_seed0.json", KEPT / "computer_chimbab_seed0.json"
    text = proxy_table.table([v4, v7], against=v4)
    assert "| 0.96 | **73.2%** (903/1233) |" in text and "| 0.96 | **87.4%** (1078/1233) |" in text
    assert "| computer_wide_seed0.json | +0.0 |" in text and "| computer_chimbab_seed0.json | -14.2 |" in text
    assert "Hard deliveries" in text and text.count("| computer |") == 4  # two proxy rows, two delivery rows


def test_every_kept_report_makes_a_row(capsys):
    proxy_table.main([])
    out = capsys.readouterr().out
    first_table = out.split("\n\n")[0].splitlines()[2:]
    assert len(first_table) == len(list(KEPT.glob("*.json"))) and "--against" not in out


def test_the_excited_column_has_a_header_where_a_report_has_it():
    """A report judged with the excited delivery adds a column: header and rows keep the same count."""
    excited = KEPT.parents[1] / "embedding_spotter" / "proxy" / "computer_f0_seed0.json"
    for paths in ([excited, KEPT / "computer_wide_seed0.json"], [KEPT / "computer_wide_seed0.json"]):
        text = proxy_table.table(paths)
        hard = text.split("Hard deliveries, at each report's chosen threshold:\n\n")[1].splitlines()
        assert len({line.count("|") for line in hard}) == 1  # every line of the table, the same columns
        assert ("formants kept" in hard[0]) == (excited in paths)
