"""`python -m core.dates translate` as a person or a script uses it."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "core.dates", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_translate_arguments_in_order():
    out = run("translate", "9 may 1998", "4/28/90", "hello world")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["9 may 1998\t1998-05-09", "4/28/90\t1990-04-28", "hello world\t"]


def test_translate_file_and_json(tmp_path):
    inputs = tmp_path / "inputs.txt"
    inputs.write_text("tuesday 09 oct 1993\n\nFebruary 30, 2021\n" + "x" * 3000 + "\n")
    out = run("translate", "--file", str(inputs), "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["iso"] for r in rows] == ["1993-10-09", None, None, None]
    assert [r["status"] for r in rows] == ["date", "refused", "impossible", "refused"]
    assert 0.5 < rows[0]["confidence"] <= 1
    assert "line 2" in out.stderr and "line 4" in out.stderr


def test_reading_order():
    out = run("translate", "04/07/2019", "--order", "dmy", "--json")
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["iso"] == "2019-07-04" and row["order"] == "dmy"
    bad = run("translate", "04/07/2019", "--order", "xyz")
    assert bad.returncode != 0 and "invalid choice" in bad.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    out = run("translate", "--file", str(tmp_path / "nope.txt"))
    assert out.returncode != 0 and "cannot read" in out.stderr and "Traceback" not in out.stderr
