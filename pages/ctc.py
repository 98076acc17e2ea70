"""CTC explorer: the collapse rule, counting alignments, the CTC loss and greedy vs beam decoding."""
import hashlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.ctc import (BLANK, MAX_LISTED_ALIGNMENTS, Alphabet, CTCInputError, adjacent_repeats, beam_decode,
                      brute_force_loss, check_fits, collapse, count_alignments, ctc_forward,
                      enumerate_alignments, greedy_decode, many_paths_probs, min_steps, most_likely_alignments,
                      normalise_rows, output_log_prob, peaked_probs, probability_problem, random_probs, rows_off,
                      sample_alignments, spread_frames)

COURSE_FRAMES = "ttt_h_eee___ ___qqq__"
MAX_FRAMES = 5_000  # 50 s of audio at 100 steps a second; longer strings are refused
MAX_TARGET = 40  # alignment section: longer targets make the numbers, not the lesson, grow
MAX_ALIGNMENT_STEPS = 60
SHOWN_ALIGNMENTS = 20
AUDIO_STEPS = 1_000  # the course's 10 s of audio
MAX_LETTERS = 12  # symbols in the matrix besides the blank; keeps the heatmap readable
MAX_MATRIX_STEPS = 40
BRUTE_FORCE_LIMIT = 5_000  # alignments summed one by one to check the forward algorithm
SOURCES = ("random (seeded)", "peaked around a word", "many paths beat one (greedy ≠ beam)")
BLANK_POSITIONS = {"first (index 0, Keras 3)": 0, "last (index C − 1, older TensorFlow)": -1}


def show_frames(text: str) -> str:
    """Frame strings in code font keep their spaces visible (shown as ␣)."""
    return f"`{text.replace(' ', '␣')}`" if text else "*(empty)*"


# --- 1. the collapse rule ----------------------------------------------------------------------

def collapse_section() -> None:
    st.header("1 · The collapse rule")
    st.markdown(
        "10 s of audio at 100 steps a second is about **1,000 input steps**, but the transcript has "
        "only a few dozen characters. CTC lets the network output one symbol per step anyway, "
        f"from the letters plus a **blank** (written `{BLANK}`), then reads the output by "
        "**merging repeated characters** and then **dropping the blanks**. The space is a real "
        "character, not a blank: `ttt_h_eee___ ___qqq__` becomes “the q”."
    )
    left, right = st.columns([5, 1])
    frames = left.text_input("Network output, one character per step", COURSE_FRAMES, key="ctc_frames")
    blank = right.text_input("Blank", BLANK, max_chars=1, key="ctc_blank")
    if not blank:
        st.error("Type the character that stands for the blank (the course uses “_”).")
        return
    if len(frames) > MAX_FRAMES:
        st.error(f"That is {len(frames):,} steps; this page takes at most {MAX_FRAMES:,}. Please shorten it.")
        return
    if not frames:
        st.warning("The output is empty: type some frames, e.g. “ttt_h_eee___ ___qqq__”. "
                   "(An empty output collapses to the empty transcript.)")
        return
    steps = collapse(frames, blank=blank)
    runs = pd.DataFrame({
        "run": [symbol.replace(" ", "␣") for symbol, _ in steps.runs],
        "steps": [length for _, length in steps.runs],
        "kept as": ["dropped (blank)" if symbol == blank else symbol.replace(" ", "␣")
                    for symbol, _ in steps.runs],
    })
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"**Frames** ({len(frames)} steps): {show_frames(frames)}")
        st.markdown(f"**① Merge repeats** ({len(steps.merged)} runs): {show_frames(steps.merged)}")
        st.markdown(f"**② Drop blanks**: {show_frames(steps.result)}")
        st.metric("Transcript", f"“{steps.result}”", help="The collapse of the frames.")
        if blank not in frames:
            st.info(f"There is no blank “{blank}” in these frames, so only the merge step changes anything, "
                    "and no letter can appear twice in a row in the transcript.")
    with right:
        st.dataframe(runs.astype(str).T if len(runs) <= 12 else runs, key="ctc_runs")
    st.caption("The order matters: `aa_a` merges to `a_a` and gives “aa”. A blank between two runs "
               "of the same letter is the only way to write a double letter such as the “ll” in “hello”.")


# --- 2. alignments -------------------------------------------------------------------------------

def alignments_section() -> None:
    st.header("2 · Alignments")
    st.markdown(
        "Every frame string that collapses to the target is an **alignment** of it. CTC does not "
        "ask which one is right: the probability of the target is the **sum over all of them**."
    )
    left, right = st.columns([2, 3])
    target = left.text_input("Target", "cat", key="ctc_align_target")
    steps = right.slider("Number of steps T", 1, MAX_ALIGNMENT_STEPS, 5, key="ctc_align_steps")
    if BLANK in target:
        st.error(f"“{BLANK}” is the blank: it cannot be part of a target.")
        return
    if len(target) > MAX_TARGET:
        st.error(f"The target has {len(target)} characters; this section takes at most {MAX_TARGET}.")
        return
    if not target:
        st.info("An empty target has exactly one alignment: a blank at every step.")
    try:
        check_fits(target, steps)
    except CTCInputError as err:
        st.error(f"{err} Raise T or shorten the target.")
        return
    count = count_alignments(target, steps)
    length, repeats = len(target), adjacent_repeats(target)
    columns = st.columns(3)
    columns[0].metric("Steps needed at least", min_steps(target),
                      help="One per character plus one blank between each pair of equal neighbours.")
    columns[1].metric(f"Alignments with T = {steps}", f"{count:,}")
    columns[2].metric(f"… with T = {AUDIO_STEPS:,} (10 s of audio)", f"{count_alignments(target, AUDIO_STEPS):.3g}")
    st.latex(rf"\#\text{{alignments}} = \binom{{T + L - r}}{{2L}} = \binom{{{steps} + {length} - {repeats}}}"
             rf"{{{2 * length}}} = {count:,}")
    st.caption(f"L = {length} characters, r = {repeats} equal neighbours. Counted by the forward recursion "
               "with every probability set to 1; the binomial is the same number in closed form "
               "(L non-empty letter runs and L + 1 blank runs, the r runs between equal letters non-empty).")
    random_sample = sample_alignments(target, steps, SHOWN_ALIGNMENTS, seed=0)
    tables = {"random sample (uniform)": random_sample}
    if count <= MAX_LISTED_ALIGNMENTS:
        first = enumerate_alignments(target, steps)[:SHOWN_ALIGNMENTS]
        tables = {f"first {len(first)} in order": first, **tables}
    else:
        st.info(f"{count:,} alignments are too many to list (the limit is {MAX_LISTED_ALIGNMENTS:,}); "
                "here is a uniform random sample instead.")
    for column, (title, frames) in zip(st.columns(len(tables)), tables.items()):
        column.markdown(f"**{title}**")
        column.dataframe(pd.DataFrame({"alignment": [f.replace(" ", "␣") for f in frames],
                                       "collapses to": [collapse(f).result for f in frames]}),
                         hide_index=True, key=f"ctc_alignments_{title.split()[0]}")


# --- 3. probabilities, the loss and decoding --------------------------------------------------------

def build_matrix(source: str, alphabet: Alphabet, steps: int) -> np.ndarray | None:
    """The starting matrix with its columns in the alphabet's order; None after showing an error.
    Every source builds it with the blank first (Keras 3's order), then the columns move."""
    probs = build_blank_first_matrix(source, Alphabet(alphabet.letters, blank_index=0), steps)
    return None if probs is None else alphabet.from_blank_first(probs)


def build_blank_first_matrix(source: str, alphabet: Alphabet, steps: int) -> np.ndarray | None:
    if source == SOURCES[0]:
        left, right = st.columns(2)
        seed = left.number_input("Seed", 0, 10_000, 0, key="ctc_seed")
        sharpness = right.slider("Sharpness (logit scale)", 0.0, 5.0, 1.5, 0.1, key="ctc_sharpness",
                                 help="0 gives uniform rows; larger values make each step surer of one symbol.")
        return random_probs(steps, len(alphabet.symbols), seed=int(seed), sharpness=sharpness)
    if source == SOURCES[1]:
        left, right = st.columns(2)
        word = left.text_input("Word the network is fairly sure of", alphabet.letters[:3], key="ctc_peak_word")
        peak = right.slider("Probability on the peaked symbol", 0.3, 0.95, 0.6, 0.05, key="ctc_peak")
        try:
            frames = spread_frames(alphabet.encode(word), steps, alphabet.blank)
        except CTCInputError as err:
            st.error(f"Peaked word: {err}")
            return None
        return peaked_probs(frames, len(alphabet.symbols), peak=peak, seed=0)
    probs = many_paths_probs(alphabet, steps)
    st.caption(f"Every step: blank {probs[0, alphabet.blank]:g}, “{alphabet.letters[0]}” 0.4"
               f"{', the other letters share 0.1' if len(alphabet.letters) > 1 else ''}. "
               "The single best path is all blanks, yet outputs made of "
               f"“{alphabet.letters[0]}” collect far more probability over their many alignments.")
    return probs


def edited_matrix(start: np.ndarray, alphabet: Alphabet, key: str) -> np.ndarray | None:
    """Let the reader edit the matrix; rows are renormalised. None after showing an error."""
    frame = pd.DataFrame(start, columns=[s.replace(" ", "␣") for s in alphabet.symbols],
                         index=[f"t={t + 1}" for t in range(len(start))])
    config = {column: st.column_config.NumberColumn(format="%.4f", min_value=0.0) for column in frame.columns}
    edited = st.data_editor(frame, key=key, width="stretch", column_config=config)
    values = edited.to_numpy(dtype=np.float64, na_value=np.nan)
    problem = probability_problem(values)
    if problem:
        st.error(problem)
        return None
    off = [f"t={t + 1}" for t in rows_off(values)]
    if off:
        shown = ", ".join(off[:8]) + (" …" if len(off) > 8 else "")
        st.caption(f"Rows {shown} do not sum to 1; they are divided by their sum (an all-zero row becomes uniform).")
    return normalise_rows(values)


def heatmap(values: np.ndarray, rows: list[str], title: str, colorbar: str, path=None, key=None,
            text=None) -> None:
    figure = go.Figure(go.Heatmap(z=values.T, x=list(range(1, len(values) + 1)), y=rows, colorscale="Viridis",
                                  colorbar=dict(title=colorbar), text=text,
                                  texttemplate="%{text}" if text is not None else None,
                                  hovertemplate="t=%{x}, %{y}: %{z:.4f}<extra></extra>"))
    if path is not None:
        figure.add_trace(go.Scatter(x=list(range(1, len(path) + 1)), y=[rows[s] for s in path], mode="markers+lines",
                                    marker=dict(color="red", size=9, symbol="x"), line=dict(color="red", dash="dot"),
                                    name="greedy path"))
    figure.update_layout(title=title, xaxis_title="step t", height=140 + 28 * len(rows),
                         margin=dict(l=10, r=10, t=40, b=10), yaxis=dict(autorange="reversed", type="category"),
                         legend=dict(orientation="h", y=-0.25))
    st.plotly_chart(figure, key=key)


def matrix_section() -> None:
    st.header("3 · Probabilities, the CTC loss and decoding")
    st.markdown(
        "A speech network outputs, at every step, a probability for each symbol. Given such a "
        "(steps × symbols) matrix, the **CTC loss** of a target is −log of the summed probability "
        "of all its alignments, computed by the **forward algorithm** instead of listing them. "
        "Decoding goes the other way: **greedy** (best path) takes the most likely symbol at each "
        "step and collapses; **beam search** over prefixes sums the paths that collapse to the same output."
    )
    left, middle, right = st.columns([2, 2, 3])
    letters = left.text_input("Letters (the blank is added)", "cat", key="ctc_letters",
                              help="The space is a letter too. Each letter once; not the blank “_”.")
    placement = middle.radio("Blank column", list(BLANK_POSITIONS), key="ctc_blank_position",
                             help="Keras 3 (keras.ops.ctc_loss mask_index=0) puts the blank first; older "
                                  "TensorFlow (tf.nn.ctc_beam_search_decoder) expects it last. The numbers "
                                  "do not change, only the column order.")
    steps = right.slider("Number of steps T", 1, MAX_MATRIX_STEPS, 8, key="ctc_steps")
    if len(letters) > MAX_LETTERS:
        st.error(f"At most {MAX_LETTERS} letters, so that the heatmap stays readable.")
        return
    try:
        alphabet = Alphabet(letters, BLANK_POSITIONS[placement])
    except CTCInputError as err:
        st.error(str(err))
        return
    source = st.radio("Where the probabilities come from", SOURCES, horizontal=True, key="ctc_source")
    start = build_matrix(source, alphabet, steps)
    if start is None:
        return
    with st.expander("Edit the probabilities (rows are steps, columns are symbols)"):
        # a new key whenever the source changes, so that edits belong to the matrix they were made on
        key = "ctc_editor_" + hashlib.sha1(start.tobytes() + repr(alphabet.symbols).encode()).hexdigest()[:12]
        probs = edited_matrix(start, alphabet, key)
    if probs is None:
        return
    symbols = [s.replace(" ", "␣") for s in alphabet.symbols]
    greedy = greedy_decode(probs, blank=alphabet.blank)
    heatmap(probs, symbols, "P(symbol at step t)", "P", path=greedy.path, key="ctc_probs_heatmap")

    # --- the loss ---
    st.subheader("The CTC loss of a target")
    left, right = st.columns([2, 3])
    target = left.text_input("Target", alphabet.letters[:3], key="ctc_target")
    problem = None
    if len(target) > MAX_TARGET:
        problem = f"The target has {len(target)} characters; at most {MAX_TARGET} here."
    else:
        try:
            labels = alphabet.encode(target)
            check_fits(labels, steps)
        except CTCInputError as err:
            problem = str(err)
    if problem:
        right.error(problem)
    else:
        if not target:
            right.info("The empty target has one alignment: a blank at every step.")
        forward = ctc_forward(probs, labels, blank=alphabet.blank)
        count = count_alignments(labels, steps)
        columns = right.columns(3)
        columns[0].metric("CTC loss −log P", f"{forward.loss:.4f}" if np.isfinite(forward.loss) else "∞")
        columns[1].metric(f"P(“{target}” | x)", f"{forward.probability:.4g}")
        columns[2].metric("alignments summed", f"{count:,}")
        if not np.isfinite(forward.loss):
            right.warning("Every alignment of this target goes through a zero probability, "
                          "so P = 0 and the loss is infinite.")
        if count <= BRUTE_FORCE_LIMIT:
            brute = brute_force_loss(probs, labels, blank=alphabet.blank)
            ranked = most_likely_alignments(probs, labels, blank=alphabet.blank)
            right.caption(f"Check: adding the {count:,} alignments' probabilities one by one gives "
                          f"−log P = {brute:.6f}.")
            with st.expander(f"The {len(ranked)} most likely of the {count:,} alignments"):
                st.dataframe(pd.DataFrame({
                    "alignment": [alphabet.decode(path).replace(" ", "␣") for path, _ in ranked],
                    "P(alignment)": [p for _, p in ranked],
                }), hide_index=True, key="ctc_top_alignments")
        with st.expander("The forward (α) table"):
            st.markdown("α[t, s] sums every partial path that is in state s of the target written with "
                        "blanks around and between its letters after step t. A path can stay, move one "
                        "state on, or skip a blank between two *different* letters; P(target) is the sum "
                        "of the last two states at the last step.")
            rows = [f"{s}:{alphabet.symbols[i]}".replace(" ", "␣") for s, i in enumerate(forward.extended)]
            alpha = np.exp(forward.log_alpha)
            heatmap(alpha, rows, "α (probability of the partial paths)", "α", key="ctc_alpha_heatmap",
                    text=np.vectorize(lambda v: f"{v:.2g}" if v > 0 else "")(alpha).T)

    # --- decoding ---
    st.subheader("Greedy path vs beam search")
    beam_width = st.slider("Beam width", 1, 32, 8, key="ctc_beam_width")
    beams, _ = beam_decode(probs, beam_width, blank=alphabet.blank)
    best = beams[0]
    greedy_text, beam_text = alphabet.decode(greedy.labels), alphabet.decode(best.labels)
    greedy_output = ctc_forward(probs, greedy.labels, blank=alphabet.blank)
    beam_output = ctc_forward(probs, best.labels, blank=alphabet.blank)
    left, right = st.columns(2)
    with left:
        st.markdown("**Greedy (best path)**")
        st.markdown(f"path: {show_frames(alphabet.decode(greedy.path))}")
        st.metric("output", f"“{greedy_text}”")
        st.caption(f"P(this one path) = {np.exp(greedy.log_prob):.4g}; P(output, all its alignments) = "
                   f"{greedy_output.probability:.4g}")
    with right:
        st.markdown(f"**Prefix beam search (width {beam_width})**")
        st.dataframe(pd.DataFrame({
            "output": [f"“{alphabet.decode(b.labels)}”" for b in beams[:5]],
            "log P in the beam": [b.log_prob for b in beams[:5]],
            "exact log P": [output_log_prob(probs, b.labels, blank=alphabet.blank) for b in beams[:5]],
        }), hide_index=True, key="ctc_beams")
        st.metric("output", f"“{beam_text}”")
        st.caption(f"P(output) = {beam_output.probability:.4g}. “log P in the beam” counts only the paths "
                   "that stayed in the beam, so it can be below the exact value.")
    if greedy.labels == best.labels:
        st.success(f"Greedy and beam search agree on “{greedy_text}”.")
    else:
        st.info(f"**They disagree.** The best single path collapses to “{greedy_text}” "
                   f"(P = {greedy_output.probability:.4g} over all its alignments), but beam search finds "
                   f"“{beam_text}” (P = {beam_output.probability:.4g}). An output's probability is a sum "
                   "over its alignments, and many moderately likely paths can outweigh the one best path.")


st.title("🔤 Speech recognition with CTC")
collapse_section()
alignments_section()
matrix_section()
