"""Date translation: type a date, see the ISO answer and the attention that produced it."""
import pandas as pd
import streamlit as st

from ui import charts, loaders
from core.dates.data import MAX_CHARS, ORDERS, Tx, Ty, human_vocab, machine_vocab
from core.dates.decode import DateInputError, check_input, readings
from core.dates.model import n_a, n_s

EXAMPLES = {  # from the course, then ones that show the model's conventions and limits
    "tuesday 09 oct 1993": "course",
    "4/28/90": "course",
    "26th of January, 1995": "ordinal",
    "Thu Sep 25 10:36:28 2003": "with a time",
    "2014-10-15T16:12:20+00:00": "ISO with zone",
    "born on the 3rd of march 2001": "in a sentence",
    "03/04/2020": "month first, unless you choose another reading order",
    "03.04.2020": "day first, unless you choose another reading order",
    "28/02/2019": "day first: there is no month 28",
    "February 30, 2021": "impossible",
    "hello world": "not a date",
}

st.title("📅 Date translation")
st.markdown(
    "The course's **neural machine translation with attention**: a Bi-LSTM reads the "
    "characters you type, and for each output character the attention mechanism "
    "(`one_step_attention`) decides which input characters to look at. "
    "It updates as you type."
)

if "date_text" not in st.session_state:
    st.session_state.date_text = "tuesday 09 oct 1993"
st.caption("Try one:")
columns = st.columns(5)
for i, (example, why) in enumerate(EXAMPLES.items()):
    if columns[i % 5].button(example, help=why, key=f"example_{i}", width="stretch"):
        st.session_state.date_text = example

text = st.text_input("A date, written any way you like", key="date_text", live=True)
ORDER_NAMES = {"auto": "auto: / and - month first, . and space day first", "mdy": "month first (US)",
               "dmy": "day first", "ymd": "year first (ISO, China, Japan)"}
order = st.radio("Reading order for all-numeric dates like 04/07/2019", ORDERS, horizontal=True,
                 format_func=ORDER_NAMES.get, key="date_order")

try:
    check_input(text)
except DateInputError as err:
    st.info(str(err))
    st.stop()

translator = loaders.date_translator()
result = translator.translate(text, order)

if result.status == "date":
    st.success(f"### {result.iso}")
elif result.status == "not_a_date":
    st.warning("**Not a date.** The model answered “no date” (`?`): it found no full "
               "day, month and year here.")
elif result.status == "impossible":
    st.warning("**Impossible date.** The model answered `!`: this day is not on the "
               "calendar (like February 30 or month 13).")
else:
    st.error(f"The model wrote **{result.answer}**, which is not a real date: a mistake.")
st.metric("Confidence: P(answer | input)", f"{result.confidence:.1%}")

options = readings(translator, text, order)
if len(options) > 1:
    st.info("**Ambiguous:** these numbers are a different day in another reading order. "
            "The model's probability of each, told to read “" + ORDER_NAMES[order] + "”:\n"
            + "\n".join(f"- **{r.answer}** ({', '.join(r.orders)}): {r.probability:.1%}" for r in options))
if result.window_start or len(result.model_input) < len(check_input(text).strip()):
    st.caption(f"Longer than the {MAX_CHARS} characters the model reads at once: it read the text "
               f"in windows, and this one answered: “{result.model_input}”.")

st.subheader("Attention")
st.caption("Row t is the attention α⟨t, t'⟩ of output character t over the input "
           "characters t'; each row sums to 1. Hover for the weights.")
st.plotly_chart(charts.attention_heatmap(result.attention, result.model_input, result.output_tokens),
                key="attention")
inputs, outputs = charts.input_labels(result.model_input), charts.output_labels(result.output_tokens)

with st.expander("Step by step: each output character and its probability"):
    st.dataframe(pd.DataFrame({
        "step t": range(1, len(outputs) + 1),
        "output": outputs,
        "P(output | input, earlier outputs)": result.step_probabilities,
        "most attended input": [inputs[int(row.argmax())] for row in result.attention],
    }), hide_index=True)

with st.expander("Conventions"):
    st.markdown(
        "- The reading order is told to the model as one extra input symbol before the text.\n"
        "- **auto**: `/` and `-` numeric dates read **month first** (US): 03/04/2020 → 2020-03-04; "
        "`.` and space numeric dates read **day first** (the course's dd.MM.YY): 03.04.2020 → 2020-04-03.\n"
        "- **month first / day first**: whatever the separator. **year first**: three two-digit "
        "numbers read year-month-day (19/07/04 → 2019-07-04), other numbers as month first.\n"
        "- In every order: a first number over 12 is the day (28/02/2019 → 2019-02-28); a leading "
        "four-digit year reads year-month-day (2020/04/03, EXIF 2020:04:03); month 13 is impossible (`!`); "
        "a one-digit “year” is no year (1-2-3 → no date).\n"
        "- Two-digit years: 69–99 → 1969–1999, 00–68 → 2000–2068. Four-digit years 1900–2099.\n"
        "- Letters are lower-cased and accents folded; other characters are “unknown” to the model.\n"
        f"- The model reads {MAX_CHARS} characters at once (Tx = {Tx} with the order symbol); longer "
        "text is read in overlapping windows and the most confident date wins."
    )

with st.expander("Shapes and the model (Tx, Ty, n_a, n_s)"):
    st.markdown(
        f"- **Tx = {Tx}**: input positions, the reading-order symbol then up to {MAX_CHARS} "
        f"characters (padded), one-hot over the human vocabulary of {len(human_vocab)} symbols.\n"
        f"- **Ty = {Ty}**: output steps, `YYYY-MM-DD` plus an end symbol; machine vocabulary of "
        f"{len(machine_vocab)} symbols (digits, `-`, start, end, `?` no date, `!` impossible).\n"
        f"- **n_a = {n_a}**: units of each direction of the pre-attention Bi-LSTM, so "
        f"a⟨t'⟩ has 2·n_a = {2 * n_a} numbers.\n"
        f"- **n_s = {n_s}**: units of the post-attention LSTM, whose state s⟨t-1⟩ feeds attention.\n"
        "- One change from the course: the post-attention LSTM also receives the previous "
        "output character, so the beam search page can explore real alternatives."
    )
    st.code(translator.summary(), language=None)
