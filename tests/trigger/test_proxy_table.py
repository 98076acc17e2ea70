"""benchmarks/proxy_table.py: the kept proxy reports' figures side by side, read back from their JSON."""
import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "proxy_table.py"
spec = importlib.util.spec_from_file_location("proxy_table", SCRIPT)
proxy_table = importlib.util.module_from_spec(spec)
sys.modules["proxy_table"] = proxy_table
spec.loader.exec_module(proxy_table)
KEPT = proxy_table.PROXY_DIR


def test_a_row_holds_the_reports_own_figures_and_the_points_over_another():
    v4, v7 = KEPT / "computer_wide_seed0.json", KEPT / "computer_chimbab_seed0.json"
    r = proxy_table.row(json.loads(v7.read_text()))
    assert (r["word"], r["threshold"], round(r["recall"], 3)) == ("computer", 0.96, 0.732)  # 903/1233
    text = proxy_table.table([v4, v7], against=v4)
    lines = text.splitlines()
    assert len(lines) == 4 and lines[2].endswith("| +0.0 |") and lines[3].endswith("| -14.2 |")
    assert "73.2% @0.96" in lines[3] and "81.1% (58.5)" in lines[3]  # at 0.9, with its false alarms an hour


def test_every_kept_report_makes_a_row(capsys):
    proxy_table.main([])
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    assert len(rows) == len(list(KEPT.glob("*.json"))) and all(row.count("%") >= 2 and " | ? |" not in row for row in rows)
