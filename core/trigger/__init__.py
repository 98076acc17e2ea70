"""Trigger-word detection (course 5, week 3): audio in, "activate" detected, a chime out.

Here, the course's own pieces and the live path: audio.py reads and writes WAV with numpy
(`preprocess_audio`'s input), spectrogram.py is the course's `graph_spectrogram`, synth.py
holds the course's functions that build a 10 s training example (`insert_audio_clip`,
`insert_ones`, `create_training_example`, …), model.py the Conv1D + GRU model, detect.py the
probabilities, detections and `chime_on_activate`, stream.py the microphone's ring buffer and
inference worker. voicebank/ makes and loads the clips examples are made of; training/ trains,
judges and fine-tunes the model and writes its card.
Nothing here imports Streamlit, and nothing downloads at run time.
"""
