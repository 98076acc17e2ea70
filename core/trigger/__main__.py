"""`python -m core.trigger voices` lists the TTS voices found on this machine, per engine;
`python -m core.trigger bank --out DIR` synthesizes a voice bank there (WAV + manifest.json);
`python -m core.trigger takes --out DIR` synthesizes the spotter's takes (classic and neural voices);
`python -m core.trigger detect a.wav b.wav [--json] [--threshold T] [--detector course]` says where
"activate" is (the embedding spotter by default).

The bundled bank was made with:
    python -m core.trigger bank --out assets/trigger --activates 20 --negatives 20 --backgrounds 4
"""
from __future__ import annotations

import argparse
import shlex
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.trigger", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("voices", help="count (or --list) the voices each engine offers here")
    listing.add_argument("--list", action="store_true", help="print every voice id and its split")
    bank = sub.add_parser("bank", help="synthesize a voice bank")
    bank.add_argument("--out", required=True, help="folder for the WAV files and manifest.json")
    bank.add_argument("--engines", nargs="+", default=None,
                      help="engines to use (default: every one installed): espeakng-loader espeak-ng flite festival")
    bank.add_argument("--activates", type=int, default=20, help="how many 'activate' clips")
    bank.add_argument("--negatives", type=int, default=20, help="how many negative clips")
    bank.add_argument("--backgrounds", type=int, default=4, help="how many 10 s backgrounds")
    bank.add_argument("--seed", type=int, default=0)
    bank.add_argument("--rate", type=int, default=None, help="sample rate of the stored clips (Hz)")
    made = sub.add_parser("takes", help="synthesize takes for the spotter (every classic and neural voice)")
    made.add_argument("--out", required=True, help="folder for the WAV files and takes.json (resumes)")
    made.add_argument("--word", default="activate")
    made.add_argument("--positives", type=int, default=500)
    made.add_argument("--negatives", type=int, default=600)
    made.add_argument("--seed", type=int, default=1)
    detect = sub.add_parser("detect", help="find 'activate' in audio files (WAV; FLAC with soundfile)")
    detect.add_argument("files", nargs="+", help="audio files, analysed in order")
    detect.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    detect.add_argument("--threshold", type=float, default=None,
                        help="probability above which a detection fires (default: the model card's)")
    detect.add_argument("--detector", choices=("embedding_spotter", "spotter", "course"), default="embedding_spotter",
                        help="embedding_spotter (models/embedding_spotter, hears people best; default), spotter "
                             "(models/spotter, log-mel) or course (models/trigger)")
    args = parser.parse_args(argv)
    if args.command == "detect":
        return detect_files(args.files, args.threshold, args.json, parser, args.detector)
    if args.command == "takes":
        from tqdm import tqdm

        from core.trigger.voicebank.takes import build_takes

        with tqdm(total=args.positives + args.negatives, unit="take", desc="takes") as bar:
            manifest = build_takes(args.out, args.word, args.positives, args.negatives, args.seed,
                                   progress=bar.update)
        engines_used = sorted({row["engine"] for row in manifest["clips"]})
        print(f"{len(manifest['clips'])} takes ({', '.join(engines_used)}) in {args.out}; "
              f"{len(manifest['failures'])} voice failures")
        return 0

    from core.trigger.voicebank.voices import ENGINES, available_voices, engine_voices

    engines = args.engines if getattr(args, "engines", None) else ENGINES
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    if args.command == "voices":
        from core.trigger.voicebank.bank import voice_split

        for engine in engines:
            voices = engine_voices(engine)
            print(f"{engine}\t{len(voices)} voices" + ("" if voices else "\t(not installed)"))
            if args.list:
                for voice in voices:
                    print(f"  {voice.id}\t{voice_split(voice.id)}")
        return 0

    from tqdm import tqdm

    from core.trigger.voicebank.bank import BANK_RATE, build_bank

    voices = available_voices(engines)
    if not voices:
        print("no TTS voice found: pip install espeakng-loader, or apt-get install espeak-ng flite festival",
              file=sys.stderr)
        return 1
    total = args.activates + args.negatives + args.backgrounds
    command = "python -m core.trigger " + shlex.join(sys.argv[1:] if argv is None else argv)
    with tqdm(total=total, unit="file", desc="voice bank") as bar:
        manifest = build_bank(args.out, voices, args.activates, args.negatives, args.backgrounds, args.seed,
                              args.rate or BANK_RATE, progress=bar.update, command=command)
    engines_used = sorted({row["engine"] for row in manifest["clips"]})
    print(f"wrote {len(manifest['clips'])} clips ({', '.join(engines_used)}) and "
          f"{len(manifest['backgrounds'])} backgrounds to {args.out}; {len(manifest['failures'])} voice failures")
    return 0


def detect_files(files, threshold, as_json: bool, parser, kind: str = "embedding_spotter") -> int:
    """Print one line per file, in order; an unreadable file gets an error line, exit status 1."""
    import json
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if threshold is not None and not 0.0 < threshold < 1.0:
        parser.error("--threshold must be between 0 and 1")
    from core.trigger.audio import AudioError, read_any
    from core.trigger.detect import TriggerDetector
    from core.trigger.embedding_spotter import EmbeddingSpotterDetector
    from core.trigger.spotter import SpotterDetector

    loaders = {"embedding_spotter": EmbeddingSpotterDetector, "spotter": SpotterDetector, "course": TriggerDetector}
    try:
        detector = loaders[kind].load()
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    status = 0
    for name in files:
        try:
            result = detector.detect(read_any(name), threshold)
        except (AudioError, OSError) as err:
            status = 1
            message = str(err) if isinstance(err, AudioError) else f"cannot open {name}: {err.strerror}"
            print(json.dumps({"file": name, "error": message}) if as_json else f"{name}: error: {message}",
                  flush=True)
            continue
        if as_json:
            print(json.dumps({"file": name, "detections": result.detections,
                              "max_probability": round(result.max_probability, 4)}), flush=True)
        else:
            found = ", ".join(f"{t:.2f} s" for t in result.detections) or "no \"activate\""
            print(f"{name}: {found} (max probability {result.max_probability:.2f}, "
                  f"{result.seconds:.1f} s of audio, threshold {result.threshold:.2f})", flush=True)
            for note in result.notes:
                print(f"  note: {note}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
