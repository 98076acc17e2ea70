"""The real-voice proxy's kept reports side by side: one row per report, in the order given.

    .venv/bin/python benchmarks/proxy_table.py                       # every report in models/spotter/proxy
    .venv/bin/python benchmarks/proxy_table.py --against models/spotter/proxy/alexa_wide_seed0.json \
        models/spotter/proxy/alexa_chimbab_seed0.json

Each row: real people's recall within 1 false alarm an hour (and its threshold), within 1 distinct
false-alarm source an hour, at the fixed 0.9 (with its false alarms), and the hard deliveries at the
chosen threshold. With --against, each row's recall is also given as points over that report's (the
same word and seed on another recipe, say). Reads JSON only: seconds, no model is run.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROXY_DIR = ROOT / "models" / "spotter" / "proxy"
DELIVERIES = ("drawn out", "vowels drawn out", "high", "higher", "at 5 dB")


def row(report: dict, name: str = "?") -> dict:
    """The figures a recipe is compared by, from one report's judge."""
    at = report["judge"]["at"]
    deliveries = report["judge"].get("deliveries") or {}
    # the earliest reports (read back from their .md) lack some figures: their cells are "–"
    distinct, fixed = at.get("distinct", {}), at.get("fixed 0.9", {})
    return dict(word=report["word"], label=report.get("label") or report.get("command") or name,
                threshold=at["chosen"]["threshold"], recall=at["chosen"]["recall"],
                distinct=distinct.get("recall"), at_09=fixed.get("recall"), fa_09=fixed.get("false_alarms_per_hour"),
                deliveries={k: deliveries[k]["chosen"] for k in DELIVERIES if k in deliveries})


def pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def table(paths, against=None) -> str:
    base = row(json.loads(Path(against).read_text())) if against else None
    head = ("| word | model | within 1 FA/h | distinct | at 0.9 (FA/h) | "
            + " | ".join(DELIVERIES) + (" | points over --against |" if base else " |"))
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for path in paths:
        r = row(json.loads(Path(path).read_text()), Path(path).stem)
        at_09 = pct(r["at_09"]) + (f" ({r['fa_09']:g})" if r["fa_09"] is not None else "")
        cells = [r["word"], r["label"], f"{pct(r['recall'])} @{r['threshold']:g}", pct(r["distinct"]), at_09]
        cells += [pct(r["deliveries"].get(k)) for k in DELIVERIES]
        if base:
            cells.append(f"{100 * (r['recall'] - base['recall']):+.1f}")
        lines.append("| " + " | ".join(cells) + " |")
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
