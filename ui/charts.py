"""The charts more than one page draws, drawn one way: attention, the trigger word's probability
curve and spectrogram, and the status of a background training job."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.trigger.audio import SAMPLE_RATE
from core.trigger.spectrogram import NFFT, NOVERLAP

MARGIN = dict(l=10, r=10, t=10, b=10)
DETECTION = dict(color="#d62728")  # red: where the model rang
TRUTH = dict(color="#2ca02c", dash="dash")  # dashed green: where an "activate" really ends
SPECTROGRAM_COLUMNS = 1100  # of Tx = 5511 columns: every 5th is plenty on screen


# ----------------------------------------------------------------------------- attention
def input_labels(text: str) -> list[str]:
    """The characters the model read, with the space made visible."""
    return [c if c != " " else "␣" for c in text]


def output_labels(tokens) -> list[str]:
    """The characters the model wrote, with its end symbol spelled out."""
    return [t if t != "</s>" else "end" for t in tokens]


def attention_heatmap(attention, model_input: str, output_tokens) -> go.Figure:
    """Row t: how much output character t attends to each input character (rows sum to 1)."""
    inputs, outputs = input_labels(model_input), output_labels(output_tokens)
    figure = go.Figure(go.Heatmap(
        z=attention, x=list(range(len(inputs))), y=list(range(len(outputs))),
        colorscale="Blues", zmin=0, zmax=1,
        customdata=[[(o, i) for i in inputs] for o in outputs],
        hovertemplate="output %{customdata[0]} ← input %{customdata[1]}<br>weight %{z:.3f}<extra></extra>",
    ))
    figure.update_xaxes(tickmode="array", tickvals=list(range(len(inputs))), ticktext=inputs,
                        title="input characters", side="top")
    figure.update_yaxes(tickmode="array", tickvals=list(range(len(outputs))), ticktext=outputs,
                        title="output characters", autorange="reversed")
    figure.update_layout(height=140 + 28 * len(outputs), margin=dict(l=10, r=10, t=60, b=10))
    return figure


# ----------------------------------------------------------------------------- trigger word
def probability_curve(times, probabilities, threshold: float, detections=(), truth=(), height: int = 260,
                      x_title: str = "seconds", x_range=None, color: str = "#1f77b4",
                      name: str | None = "P(activate just ended)",
                      threshold_label: str | None = "threshold") -> go.Figure:
    """P("activate" just ended) step by step, the threshold (dotted), detections (red) and,
    where known, the true ends of each "activate" (dashed green). Without a name: no legend."""
    figure = go.Figure(go.Scatter(x=times, y=probabilities, mode="lines", name=name, line=dict(color=color)))
    label = {"annotation_text": threshold_label} if threshold_label else {}
    figure.add_hline(y=threshold, line=dict(color="#d62728", dash="dot"), **label)
    for t in detections:
        figure.add_vline(x=t, line=DETECTION)
    for t in truth:
        figure.add_vline(x=t, line=TRUTH)
    figure.update_layout(height=height, xaxis=dict(title=x_title, range=x_range),
                         yaxis=dict(range=[0, 1.02], title="probability"), margin=MARGIN)
    if name is None:
        figure.update_layout(showlegend=False)
    return figure


def column_step(columns: int) -> int:
    """Draw every n-th spectrogram column, so that about SPECTROGRAM_COLUMNS are drawn."""
    return max(1, columns // SPECTROGRAM_COLUMNS)


def spectrogram_heatmap(x: np.ndarray, height: int, in_seconds: bool = False) -> go.Figure:
    """A (101, time) power spectrogram in dB; the time axis in columns (Tx) or in seconds."""
    step = column_step(x.shape[1])
    columns = np.arange(0, x.shape[1], step)
    figure = go.Figure(go.Heatmap(z=10 * np.log10(x[:, ::step] + 1e-10),
                                  x=columns * (NFFT - NOVERLAP) / SAMPLE_RATE if in_seconds else columns,
                                  colorscale="Viridis", colorbar=dict(title="dB")))
    figure.update_layout(height=height, xaxis_title="seconds" if in_seconds else "time step (Tx = 5511)",
                         yaxis_title="frequency bin (101)", margin=MARGIN)
    return figure


def log_mel_heatmap(x: np.ndarray, height: int) -> go.Figure:
    """(bands, frames) log-mel energies (natural log) in dB, frames 10 ms apart."""
    step = column_step(x.shape[1])
    columns = np.arange(0, x.shape[1], step)
    figure = go.Figure(go.Heatmap(z=x[:, ::step] * (10 / np.log(10)), x=columns * 0.01,
                                  colorscale="Viridis", colorbar=dict(title="dB")))
    figure.update_layout(height=height, xaxis_title="seconds", yaxis_title="mel band (40)", margin=MARGIN)
    return figure


def embedding_heatmap(x: np.ndarray, height: int, seconds_per_column: float = 0.08) -> go.Figure:
    """(96, n) speech embeddings, one column every 80 ms: what the embedding spotter's head reads."""
    step = column_step(x.shape[1])
    columns = np.arange(0, x.shape[1], step)
    figure = go.Figure(go.Heatmap(z=x[:, ::step], x=columns * seconds_per_column, colorscale="RdBu",
                                  zmid=0, colorbar=dict(title="value")))
    figure.update_layout(height=height, xaxis_title="seconds", yaxis_title="embedding dimension (96)",
                         margin=MARGIN)
    return figure


# ----------------------------------------------------------------------------- background jobs
def job_status(status, activity: str, queue_reason: str, queue_advice: str, stopped_note: str, done_note: str,
               progress_text: str, preparing_note: str = "") -> None:
    """A training job's state in one line (waiting its turn, setting up, failed, stopped, done)
    and its progress bar. status: a core.jobs.JobStatus; the notes finish each page's sentences."""
    if status.state == "queued":
        ahead = status.ahead or 0
        st.info(f"⏳ Waiting for a training slot: {ahead} job{'s' if ahead != 1 else ''} ahead of you "
                f"({queue_reason}). {queue_advice}")
    elif status.state == "preparing" or (status.state == "training" and status.message != "training"):
        st.info(f"⚙️ {status.message[0].upper() + status.message[1:]}…{preparing_note}")
    elif status.state == "failed":
        st.error(f"{activity} failed: {status.error}")
    elif status.state == "stopped":
        st.warning(f"{activity} {status.message} {stopped_note}")
    elif status.state == "done":
        st.success(done_note)
    st.progress(status.progress, text=progress_text)
