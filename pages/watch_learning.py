"""Watch attention learn: train a small date translator from scratch and replay its attention."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from ui import charts, loaders
from core import jobs
from core.dates import live_training as live
from core.dates.data import Tx
from core.dates.decode import DateInputError

loaders.keep_keras_between_reruns()  # a rerun must never clear Keras under a running job

st.title("🎬 Watch attention learn")
st.markdown(
    "Train a **fresh, small** copy of the date translator from random weights, right here, "
    "and watch what the attention mechanism does with one input you choose. Before training, "
    "every output character looks at the whole input at once (a blur); within a few epochs "
    "each one learns to look at the characters it needs: the year digits for the year, "
    "the month name for the month. The trained model on the *Date translation* page is "
    "never touched: this one lives only in memory, for this browser tab."
)

# ----------------------------------------------------------------------------- settings
text = st.text_input("The input to watch", value=live.DEFAULT_TEXT, key="watch_text",
                     max_chars=200)
preset_name = st.selectbox("Size of the run", list(live.PRESETS), key="watch_preset",
                           index=list(live.PRESETS).index(live.DEFAULT_PRESET))
preset = live.PRESETS[preset_name]
epochs = st.slider("Epochs", 1, 30, value=preset.epochs)
st.caption(
    f"{preset.pairs:,} generated pairs ({', '.join(preset.families)} formats), batch "
    f"{preset.batch_size}, Adam {preset.learning_rate}, n_a = {preset.n_a}, n_s = {preset.n_s} "
    f"(the shipped model: 64 and 128). Accuracy is greedy exact match on {preset.dev_pairs} "
    "other generated dates."
)

try:
    live.check_watch_text(text)
    text_ok = True
except DateInputError as err:
    st.warning(str(err))
    text_ok = False

job = st.session_state.get("watch_job")
running = job is not None and not job.finished
left, right = st.columns(2)
if left.button("▶️ Start training", key="watch_start", disabled=not text_ok, type="primary",
               width="stretch"):
    if running:
        job.stop("replaced by a new run")
    job = live.TrainingJob(live.settings_for(preset_name, watch_text=text, epochs=epochs)).start()
    st.session_state.watch_job = job
    running = True
if right.button("⏹️ Stop", key="watch_stop", disabled=not running, width="stretch"):
    job.stop("stopped by you")

if job is None:
    st.info(f"Press **Start training**. Training slots on this server: {jobs.QUEUE.slots}; "
            f"in use now: {jobs.QUEUE.running}, waiting: {jobs.QUEUE.waiting}.")
    st.stop()


# ----------------------------------------------------------------------------- charts
def curves_figure(view):
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    if view.batch_losses:
        x, y = zip(*view.batch_losses)
        figure.add_trace(go.Scatter(x=x, y=y, name="training loss (each batch)",
                                    line=dict(color="#888", width=1)), secondary_y=False)
    done = [e for e in view.epochs]
    x = [e.epoch for e in done]
    for name, values, color in [
        ("dev exact match", [e.dev_exact for e in done], "#2ca02c"),
        ("dev characters right", [e.dev_chars for e in done], "#98df8a"),
        ("attention sharpness", [e.sharpness for e in done], "#1f77b4"),
    ]:
        figure.add_trace(go.Scatter(x=x, y=values, name=name, mode="lines+markers",
                                    line=dict(color=color)), secondary_y=True)
    figure.update_xaxes(title="epoch", range=[0, view.settings.epochs])
    figure.update_yaxes(title="loss", rangemode="tozero", secondary_y=False)
    figure.update_yaxes(title="share", range=[0, 1.02], secondary_y=True)
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10),
                         legend=dict(orientation="h", y=1.12))
    return figure


def show_epoch(view, snapshot, key: str):
    record = view.epochs[snapshot.epoch]
    when = "before training" if snapshot.epoch == 0 else f"after epoch {snapshot.epoch}"
    st.markdown(f"**{when}**: “{view.model_input}” → **{snapshot.answer or '(nothing)'}** · "
                f"sharpness {record.sharpness:.2f} · dev exact match {record.dev_exact:.0%}")
    rows = snapshot.shown_rows
    st.plotly_chart(charts.attention_heatmap(snapshot.attention[:rows].round(4).tolist(), view.model_input,
                                             snapshot.output_tokens[:rows]), key=key)


# ----------------------------------------------------------------------------- live view
@st.fragment(run_every=1 if running else None)
def live_view():
    job = st.session_state.watch_job
    job.touch()
    view = job.view()
    charts.job_status(view, "Training",
                      queue_reason=f"{jobs.QUEUE.slots} may train at once on this server, so that nobody's run crawls",
                      queue_advice="It starts by itself; keep this page open.",
                      preparing_note=" (the first run also compiles the model)",
                      stopped_note=f"after {len(view.epochs) - 1} epochs.",
                      done_note=f"Done: {view.settings.epochs} epochs in {view.elapsed:.0f} s.",
                      progress_text=f"{view.progress:.0%} of {view.settings.epochs} epochs · {view.elapsed:.0f} s")
    if view.epochs:
        st.plotly_chart(curves_figure(view), key="watch_curves")
    if view.snapshots and not job.finished:
        show_epoch(view, view.snapshots[-1], key="watch_latest")
    if running and job.finished:
        st.rerun()  # a full run: stop refreshing, show the replay


live_view()

view = job.view()
if job.finished and view.snapshots:
    st.subheader("Replay")
    last = len(view.snapshots) - 1
    epoch = st.slider("Epoch", 0, last, value=last, key=f"watch_replay_{id(job)}",
                      help="Attention of the watched input after each epoch (0: random weights).") \
        if last > 0 else 0
    show_epoch(view, view.snapshots[epoch], key="watch_replay_chart")
    with st.expander("Epoch by epoch"):
        st.dataframe(pd.DataFrame([{
            "epoch": r.epoch, "training loss": r.loss, "dev exact match": r.dev_exact,
            "dev characters right": r.dev_chars, "sharpness": r.sharpness,
            "answer": view.snapshots[r.epoch].answer, "seconds": round(r.seconds, 1),
        } for r in view.epochs]), hide_index=True)

with st.expander("What am I looking at?"):
    st.markdown(
        "- **Heatmap**: row t is α⟨t, t'⟩, how much output character t attends to input "
        f"character t'. Rows sum to 1 over all Tx = {Tx} positions, padding included, so "
        "before training each visible cell is about 1/48.\n"
        "- **Sharpness**: the mean over output characters of their largest weight: about "
        "0.02 for a blur, 1 when each output character looks at exactly one input character.\n"
        "- **Loss**: cross-entropy of each training batch (teacher forcing). **Exact match**: "
        "greedy decoding of dev dates the model never trained on.\n"
        "- The alignment is not a straight diagonal: the answer is year-month-day, so the "
        "year digits look at the end of “tuesday 09 oct 1993” and the day at its middle.\n"
        "- Runs share this server's CPU: a few at a time train, the others queue. A run "
        "nobody watches for two minutes stops by itself; the shipped model is never written."
    )
