"""The real-voice proxy's reports side by side, in the model card's own rows, in the order given.

    .venv/bin/python benchmarks/proxy_table.py                       # every report in models/spotter/proxy
    .venv/bin/python benchmarks/proxy_table.py --against models/spotter/proxy/alexa_wide_seed1.json \
        models/spotter/proxy/alexa_{wide,chimbab}_seed1.json

Any reports (kept ones, or a run's OUT/<word>/report.json before it is kept): the card's proxy table
(recall within 1 false alarm an hour, at 0.5 and 0.9, within 1 distinct source) and its hard-deliveries
table at each report's chosen threshold (core.trigger.training.spotter.proxy_rows, delivery_rows).
With --against, each report's recall within 1 false alarm an hour as points over that report's (the
same word and seed on another recipe, say). Reads JSON only: no model is run.
"""
import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.trigger.training import spotter as recipe  # noqa: E402

PROXY_DIR = ROOT / "models" / "spotter" / "proxy"


def chosen_recall(path) -> float:
    return json.loads(Path(path).read_text())["judge"]["at"]["chosen"]["recall"]


def table(paths, against=None) -> str:
    lines = [*recipe.PROXY_HEADER, *recipe.proxy_rows(paths)]
    deliveries = recipe.delivery_rows(paths, "chosen")
    if deliveries:
        lines += ["", "Hard deliveries, at each report's chosen threshold:", "",
                  *recipe.delivery_header(paths), *deliveries]
    if against:
        base = chosen_recall(against)
        lines += ["", f"Points over {Path(against).name} ({recipe.pct(base)}), within 1 false alarm an hour:", "",
                  "| report | points |", "|---|---|"]
        lines += [f"| {Path(p).name} | {100 * (chosen_recall(p) - base):+.1f} |" for p in paths]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("reports", nargs="*", help="report JSON files (default: every one in models/spotter/proxy)")
    p.add_argument("--against", default=None, help="a report each row's recall is compared with")
    args = p.parse_args(argv)
    paths = args.reports or sorted(PROXY_DIR.glob("*.json"))
    if not paths:
        sys.exit(f"no proxy reports in {PROXY_DIR}")
    print(table(paths, args.against))


if __name__ == "__main__":
    main()
