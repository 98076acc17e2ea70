"""`python -m core.dates translate "9 may 1998" "4/28/90"` (or `--file inputs.txt`, `--json`, `--order dmy`).

Prints one line per input, in order: `input<TAB>iso`, the ISO part empty where the model
answers "no date" (not a date, or an impossible date) or refuses the input; the reason
for a refusal goes to stderr. With --json, one JSON object per line with the confidence.
--order says how all-numeric dates are read: auto (`/`, `-` month first; `.`, space day
first), mdy (US), dmy (day first) or ymd (year first: 19/07/04 is 2019-07-04).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def read_inputs(args) -> list[str]:
    texts = list(args.texts)
    if args.file:
        try:
            with open(args.file, encoding="utf-8", errors="replace") as handle:
                texts += handle.read().splitlines()
        except OSError as err:
            raise SystemExit(f"cannot read {args.file}: {err.strerror}")
    return texts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.dates", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    translate = sub.add_parser("translate", help="translate dates to ISO 8601")
    translate.add_argument("texts", nargs="*", help="dates as people write them")
    translate.add_argument("--file", help="a text file, one input per line")
    translate.add_argument("--json", action="store_true", help="one JSON object per line")
    translate.add_argument("--order", default="auto", choices=("auto", "mdy", "dmy", "ymd"),
                           help="how all-numeric dates like 04/07/2019 are read (default: auto)")
    args = parser.parse_args(argv)

    texts = read_inputs(args)
    if not texts:
        parser.error("give inputs as arguments or with --file")

    from core.dates.decode import DateInputError, DateTranslator, check_input

    translator = DateTranslator.load()
    # translate the accepted inputs in batches; remember why the others were refused
    refused = {}
    for i, text in enumerate(texts):
        try:
            check_input(text)
        except DateInputError as err:
            refused[i] = str(err)
    accepted = [t for i, t in enumerate(texts) if i not in refused]
    results = iter(translator.translate_many(accepted, args.order))
    out = sys.stdout
    for i, text in enumerate(texts):
        shown = text.replace("\t", " ")
        if i in refused:
            print(f"line {i + 1}: {refused[i]}", file=sys.stderr)
            row = {"input": text, "iso": None, "status": "refused", "error": refused[i]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n" if args.json else f"{shown}\t\n")
            continue
        result = next(results)
        if args.json:
            row = {"input": text, "iso": result.iso, "status": result.status,
                   "answer": result.answer, "confidence": round(result.confidence, 6),
                   "order": args.order}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            out.write(f"{shown}\t{result.iso or ''}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
