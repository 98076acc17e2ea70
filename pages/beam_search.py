"""Beam search explorer and the course's beam-search error analysis, on the date model."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import loaders
from core.dates.data import DateGenerator
from core.dates.decode import END_ID, DateInputError, beam_translate, check_input, is_calendar_date, tokens_to_answer
from core.dates.error_analysis import BEAM_SEARCH, CORRECT, analyse, analyse_many, parse_pairs, summary

ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def shown(tokens) -> str:
    """Token ids → what a person reads: digits, '?' for no date, '⏹' for the end symbol."""
    text = tokens_to_answer(tokens)
    return text + ("⏹" if tokens and tokens[-1] == END_ID else "")


st.title("🌳 Beam search")
st.markdown(
    "Greedy decoding takes the single most likely character at each step. **Beam search** "
    "keeps the **B** most likely prefixes instead, scoring each by the sum of its "
    "log-probabilities. Because every log-probability is negative, long outputs lose "
    "by default; the course's **length normalisation** divides by Ty^α:"
)
st.latex(r"\text{score}(y) = \frac{1}{T_y^{\alpha}} \sum_{t=1}^{T_y} \log P(y^{\langle t\rangle} \mid x, y^{\langle 1\rangle}, \dots, y^{\langle t-1\rangle})")
st.caption("Here Ty counts the output characters including the end symbol ⏹. "
           "“?” is the model's one-character answer “no date” — short, so α matters most for it.")

left, middle, right = st.columns([3, 1, 1])
text = left.text_input("Input x", value="feb 30 2019", max_chars=None,
                       help="February has no 30th: the right answer is “!”. Move α and watch the winner change.")
beam_width = middle.slider("Beam width B", 1, 20, 3)
alpha = right.slider("α", 0.0, 1.0, 0.7, step=0.05)

try:
    check_input(text)
except DateInputError as err:
    st.info(str(err))
    st.stop()

translator = loaders.date_translator()
result = beam_translate(translator, text, beam_width, alpha, shown_per_step=beam_width)
greedy = beam_translate(translator, text, 1, alpha, shown_per_step=0)

# --- step through the search ---------------------------------------------------------------
st.subheader("Step by step")
step = st.slider("Output position t", 1, len(result.steps), 1) if len(result.steps) > 1 else 1
rows = [{"prefix": shown(c.tokens), "log P": c.log_prob, f"score (α={alpha:g})": c.normalised(alpha),
         "status": "finished ⏹" if c.finished else ("kept" if c.kept else "pruned")}
        for c in result.steps[step - 1]]
st.caption(f"Step {step}: every live prefix was extended by every character; the {beam_width} "
           f"best by log P are kept, and {beam_width} of the pruned ones are shown too.")
st.dataframe(pd.DataFrame(rows), hide_index=True, key="step_table")

figure = go.Figure()
for t, candidates in enumerate(result.steps[:step]):
    for i, c in enumerate(candidates):
        if c.parent >= 0:
            figure.add_trace(go.Scatter(x=[t, t + 1], y=[c.parent, i], mode="lines",
                                        line=dict(color="#1f77b4" if c.kept else "#cccccc", width=1),
                                        hoverinfo="skip", showlegend=False))
for label, color, test in (("kept", "#1f77b4", lambda c: c.kept and not c.finished),
                           ("finished", "#2ca02c", lambda c: c.finished),
                           ("pruned", "#bbbbbb", lambda c: not c.kept)):
    xs, ys, texts = [], [], []
    for t, candidates in enumerate(result.steps[:step]):
        for i, c in enumerate(candidates):
            if test(c):
                xs.append(t + 1)
                ys.append(i)
                texts.append(f"{shown(c.tokens)}<br>log P {c.log_prob:.3f}")
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=label, marker=dict(color=color, size=9),
                                text=texts, hovertemplate="%{text}<extra></extra>"))
figure.update_layout(height=360, xaxis_title="output position t", yaxis_title="rank at that step",
                     yaxis_autorange="reversed", margin=dict(l=10, r=10, t=30, b=10))
st.plotly_chart(figure, key="tree")

# --- the outcome ---------------------------------------------------------------------------
st.subheader("Finished candidates")
final = pd.DataFrame([{
    "rank": rank + 1, "answer": shown(c.tokens), "Ty": len(c.tokens), "log P": c.log_prob,
    f"score (α={alpha:g})": c.normalised(alpha),
    "real calendar date": "yes" if is_calendar_date(tokens_to_answer(c.tokens))
    else ("no date (?)" if tokens_to_answer(c.tokens) in ("?", "!") else "⚠ no"),
} for rank, c in enumerate(result.finished)])
if final.empty:
    st.warning("No candidate finished: widen the beam.")
else:
    st.dataframe(final, hide_index=True, key="final_table")
col1, col2 = st.columns(2)
col1.metric("Greedy (B = 1)", shown(greedy.best.tokens) if greedy.best else "—")
col2.metric(f"Beam (B = {beam_width})", shown(result.best.tokens) if result.best else "—")

with st.expander("What α changes"):
    winners = []
    for a in ALPHAS:
        best = beam_translate(translator, text, beam_width, a, shown_per_step=0).best
        winners.append({"α": a, "winner": shown(best.tokens) if best else "—",
                        "log P": best.log_prob if best else None,
                        "score": best.normalised(a) if best else None})
    st.dataframe(pd.DataFrame(winners), hide_index=True)
    st.caption("With α = 0 short answers such as “?” and “!” are favoured; with α = 1 the score is the "
               "average log-probability per character. On “feb 30 2019” the model rightly prefers “!” "
               "(no such day) for small α, but at α = 1 the ten-character “2019-02-30”, a date "
               "that is not on the calendar, wins: normalisation helps long answers, right or wrong.")

# --- error analysis --------------------------------------------------------------------------
st.header("Error analysis")
st.markdown(
    "When the output ŷ is wrong, who is to blame? Score the correct answer y* with the "
    "model (teacher forcing) and compare: if **P(y*|x) > P(ŷ|x)** the model preferred the right "
    "answer and **beam search** missed it; otherwise the **model** is at fault. "
    "(With α > 0 both sides use the normalised score the beam optimised.)"
)
c1, c2 = st.columns(2)
x = c1.text_input("Input x", value="03/04/2020", key="ea_input")
y_star = c2.text_input("Correct output y*", value="2020-04-03", key="ea_expected",
                       help="YYYY-MM-DD, ? for no date, ! for an impossible date")
try:
    case = analyse(translator, x, y_star, beam_width, alpha)
    st.dataframe(pd.DataFrame([
        {"": "y* (correct)", "output": case.expected, "log P": case.log_p_expected, "score": case.score_expected},
        {"": "ŷ (beam)", "output": case.got, "log P": case.log_p_got, "score": case.score_got},
    ]), hide_index=True, key="ea_table")
    if case.verdict == CORRECT:
        st.success("The beam found y*: nothing to blame.")
    elif case.verdict == BEAM_SEARCH:
        st.error("**Beam search is at fault**: P(y*|x) > P(ŷ|x). A wider beam may find y*.")
    else:
        st.error("**The model (RNN) is at fault**: it gives ŷ the higher score. More or better "
                 "data, or a bigger model, is the fix; a wider beam won't help.")
except DateInputError as err:
    st.warning(str(err))

st.subheader("Many examples at once")
source = st.radio("Pairs", ["A generated dev set", "Upload a CSV/TSV (input, expected)"], horizontal=True)
pairs = []
if source.startswith("A generated"):
    n = st.slider("How many pairs", 50, 1000, 200, step=50)
    seed = st.number_input("Seed", value=7, step=1)
    pairs = [(t, a) for t, a, _ in DateGenerator(int(seed) + 5_000_000).dataset(n)]
else:
    upload = st.file_uploader("Rows of input,expected (expected: YYYY-MM-DD, ? or !)", type=["csv", "tsv", "txt"])
    if upload is not None:
        try:
            pairs = parse_pairs(upload.getvalue())
        except DateInputError as err:
            st.warning(str(err))
if pairs and st.button("Run the analysis", type="primary"):
    with st.spinner(f"Beam search on {len(pairs)} inputs…"):
        cases, refused = analyse_many(translator, pairs, beam_width, alpha)
    stats = summary(cases)
    m1, m2, m3 = st.columns(3)
    m1.metric("Errors", f"{stats['errors']} / {stats['pairs']}")
    m2.metric("Due to beam search", f"{stats['beam_search']} ({stats['beam_search_share']:.0%})")
    m3.metric("Due to the model", f"{stats['model']} ({stats['model_share']:.0%})")
    table = pd.DataFrame([vars(c) for c in cases])
    st.dataframe(table[table.verdict != CORRECT] if stats["errors"] else table.head(20),
                 hide_index=True, key="batch_table")
    if refused:
        st.warning(f"{len(refused)} rows were skipped: " + "; ".join(f"“{t[:30]}”: {why}" for t, _, why in refused[:3]))
    st.download_button("Download all rows as CSV", table.to_csv(index=False).encode(),
                       file_name="beam_error_analysis.csv", mime="text/csv")
