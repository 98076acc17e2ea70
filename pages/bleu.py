"""BLEU score explorer: every count, clip, precision and penalty behind one score."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.bleu import (CORPUS_SEPARATOR, MAX_ORDER, SMOOTHING_METHODS, corpus_bleu, parse_corpus, sentence_bleu,
                       tokenize)

MAX_TOKENS = 2_000  # candidate and references together; keeps the tables readable and the page fast
COURSE_REFERENCES = "the cat is on the mat\nthere is a cat on the mat"
EXAMPLES = {  # button label → (candidate, references, N)
    "Course example 1: “the the the …” (p₁ = 2/7)": ("the the the the the the the", COURSE_REFERENCES, 1),
    "Course example 2: “the cat the cat on the mat” (p₂ = 4/6)": ("the cat the cat on the mat", COURSE_REFERENCES, 2),
}
SMOOTHING_LABELS = {
    "none": "none (a zero p_n gives BLEU 0)",
    "add-one": "add-one for n ≥ 2 (sacreBLEU add-k, NLTK method2)",
}
CORPUS_EXAMPLE = (
    "the the the the the the the ||| the cat is on the mat ||| there is a cat on the mat\n"
    "the cat the cat on the mat ||| the cat is on the mat ||| there is a cat on the mat\n"
    "the cat sat ||| the cat sat on the mat"
)


def load_example(label: str) -> None:
    candidate, references, max_n = EXAMPLES[label]
    st.session_state.update(bleu_candidate=candidate, bleu_references=references, bleu_max_n=max_n)


def too_long(token_count: int) -> str | None:
    if token_count > MAX_TOKENS:
        return (f"That is {token_count:,} tokens; this page takes at most {MAX_TOKENS:,} "
                "(all sentences together). Please shorten the text.")
    return None


first_example = next(iter(EXAMPLES.values()))
st.session_state.setdefault("bleu_candidate", first_example[0])
st.session_state.setdefault("bleu_references", first_example[1])
st.session_state.setdefault("bleu_max_n", first_example[2])

st.title("📏 BLEU score")
st.markdown(
    "**BLEU** (bilingual evaluation understudy) scores a machine translation, the *candidate*, "
    "by how many of its n-grams (runs of n words) also appear in human *reference* translations. "
    "Each n-gram's count is **clipped** to the most times it appears in any single reference, "
    "so repeating a good word earns nothing; this gives the *modified precision* pₙ. The "
    "precisions for n = 1 … N are combined by a weighted geometric mean, and a **brevity "
    "penalty** BP stops very short candidates from winning. Sentences are split on whitespace "
    "only: no lower-casing, and “mat.” differs from “mat”."
)
st.latex(r"p_n = \frac{\sum_{g \in \text{n-grams}} \text{Count}_\text{clip}(g)}{\sum_{g \in \text{n-grams}} \text{Count}(g)}"
         r"\qquad \text{BLEU} = \text{BP}\cdot\exp\Big(\sum_{n=1}^{N} w_n \log p_n\Big)")

for i, (column, label) in enumerate(zip(st.columns(len(EXAMPLES)), EXAMPLES)):
    column.button(label, key=f"bleu_example_{i}", on_click=load_example, args=(label,), width="stretch")

left, right = st.columns(2)
candidate_text = left.text_area("Candidate (the machine translation)", key="bleu_candidate", height=110)
references_text = right.text_area("References, one per line", key="bleu_references", height=110)
left, right = st.columns(2)
max_n = left.slider("Largest n-gram order N", 1, MAX_ORDER, key="bleu_max_n")
smoothing = right.radio("Smoothing", SMOOTHING_METHODS, format_func=SMOOTHING_LABELS.get, horizontal=True,
                        key="bleu_smoothing",
                        help="Add-one replaces pₙ by (Σ Count_clip + 1)/(Σ Count + 1) for n ≥ 2, so one "
                             "missing 4-gram does not zero a sentence. p₁ is never smoothed.")

candidate = tokenize(candidate_text)
references = [line for line in references_text.splitlines() if line.strip()]
problem = too_long(len(candidate) + sum(len(tokenize(r)) for r in references))
if problem:
    st.error(problem)
    st.stop()
if not candidate:
    st.warning("The candidate is empty: type the translation to score (BLEU of nothing is 0).")
    st.stop()
if not references:
    st.warning("Add at least one reference translation, one per line.")
    st.stop()

result = sentence_bleu(candidate_text, references, max_n=max_n, smoothing=smoothing)

# --- the references and the length that the brevity penalty uses -----------------------------
st.subheader("References")
st.dataframe(pd.DataFrame({
    "reference": [f"ref {i + 1}" for i in range(len(references))],
    "text": references,
    "tokens": [len(tokenize(r)) for r in references],
}), hide_index=True, key="references_table")
st.caption(f"The candidate has c = {result.candidate_length} tokens; the closest reference length is "
           f"r = {result.reference_length} (on a tie, the shorter reference).")

# --- one table per n ---------------------------------------------------------------------------
st.subheader("Modified n-gram precisions")
for tab, order in zip(st.tabs([f"{order.n}-grams" for order in result.orders]), result.orders):
    with tab:
        rows = [{"n-gram": " ".join(g.ngram), "Count": g.count, "Count_clip": g.clipped_count,
                 "max in one reference": g.max_reference_count,
                 "from": f"ref {g.best_reference + 1}" if g.best_reference is not None else "—"}
                for g in order.ngrams]
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"ngrams_{order.n}")
        else:
            st.info(f"The candidate has fewer than {order.n} tokens, so it has no {order.n}-grams.")
        raw = rf"\frac{{{order.numerator}}}{{{order.denominator}}}"
        if smoothing == "add-one" and order.n > 1:
            raw += rf"\;\to\;\frac{{{order.numerator} + 1}}{{{order.denominator} + 1}}"
        st.latex(rf"p_{order.n} = {raw} = {order.precision:.4f}")

columns = st.columns(len(result.orders))
for column, order in zip(columns, result.orders):
    column.metric(f"p{order.n}", f"{order.numerator}/{order.denominator}",
                  help=f"Σ Count_clip / Σ Count over the candidate's {order.n}-grams; "
                       f"p{order.n} used in the score = {order.precision:.4f}")

figure = go.Figure(go.Bar(x=[f"p{o.n}" for o in result.orders], y=result.precisions,
                          text=[f"{p:.3f}" for p in result.precisions], textposition="outside"))
figure.update_layout(height=260, yaxis_range=[0, 1.15], yaxis_title="precision used",
                     margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(figure, key="precisions_chart")

# --- brevity penalty and the score -------------------------------------------------------------
st.subheader("Brevity penalty and score")
c, r = result.candidate_length, result.reference_length
if c > r:
    st.latex(rf"c = {c} > r = {r} \;\Rightarrow\; \text{{BP}} = 1")
else:
    st.latex(rf"c = {c} \le r = {r} \;\Rightarrow\; \text{{BP}} = e^{{1 - r/c}} = e^{{1 - {r}/{c}}} = {result.brevity_penalty:.4f}")
terms = r" + ".join(rf"{w:.3g}\log {p:.4f}" for w, p in zip(result.weights, result.precisions))
if result.score == 0:
    st.latex(rf"\text{{BLEU}} = {result.brevity_penalty:.4f}\cdot\exp\big({terms}\big) = 0")
    st.info("A precision is 0, so its log is −∞ and BLEU is 0. Lower N or pick add-one smoothing.")
else:
    st.latex(rf"\text{{BLEU}} = {result.brevity_penalty:.4f}\cdot\exp\big({terms}\big) = {result.score:.4f}")
left, middle, right = st.columns(3)
left.metric("BP", f"{result.brevity_penalty:.4f}")
middle.metric("weights wₙ", " · ".join(f"{w:.3g}" for w in result.weights))
right.metric(f"BLEU-{max_n}", f"{result.score:.4f}")

# --- corpus BLEU -------------------------------------------------------------------------------
with st.expander("Corpus BLEU: add the counts up, don't average the scores"):
    st.markdown(f"One sentence per line: `candidate {CORPUS_SEPARATOR} reference {CORPUS_SEPARATOR} reference …`. "
                "Corpus BLEU sums Count_clip, Count, c and r over all sentences, then applies the same "
                "formula (with the N and smoothing chosen above).")
    corpus_text = st.text_area("Corpus", CORPUS_EXAMPLE, key="bleu_corpus", height=110)
    pairs, bad = parse_corpus(corpus_text)
    problem = too_long(len(tokenize(corpus_text.replace(CORPUS_SEPARATOR, " "))))
    if problem:
        st.error(problem)
    elif bad:
        st.warning(f"Line(s) {', '.join(map(str, bad))} need a candidate and at least one reference "
                   f"separated by {CORPUS_SEPARATOR}; they are left out.")
    if pairs and not problem:
        corpus_candidates = [candidate for candidate, _ in pairs]
        corpus = corpus_bleu(corpus_candidates, [refs for _, refs in pairs], max_n=max_n, smoothing=smoothing)
        st.dataframe(pd.DataFrame({
            "candidate": corpus_candidates,
            "sentence BLEU": [s.score for s in corpus.sentences],
            "c": [s.candidate_length for s in corpus.sentences],
            "r": [s.reference_length for s in corpus.sentences],
        }), hide_index=True, key="corpus_sentences")
        st.dataframe(pd.DataFrame({
            "n": [o.n for o in corpus.orders],
            "Σ Count_clip": [o.numerator for o in corpus.orders],
            "Σ Count": [o.denominator for o in corpus.orders],
            "p_n used": [o.precision for o in corpus.orders],
        }), hide_index=True, key="corpus_orders")
        mean = sum(s.score for s in corpus.sentences) / len(corpus.sentences)
        left, middle, right = st.columns(3)
        left.metric("BP (Σc vs Σr)", f"{corpus.brevity_penalty:.4f}",
                    help=f"c = {corpus.candidate_length}, r = {corpus.reference_length}")
        middle.metric("corpus BLEU", f"{corpus.score:.4f}")
        right.metric("mean of sentence BLEUs", f"{mean:.4f}", help="Not BLEU: shown for contrast.")
