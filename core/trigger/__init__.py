"""Trigger-word detection, the data side (course 5, week 3): audio in, (x, y) examples out.

audio.py reads and writes WAV with numpy; spectrogram.py is the course's graph_spectrogram;
synth.py holds the course's functions that build a 10 s training example; augment.py,
voices.py, backgrounds.py and bank.py make and load the clips those examples are made of.
Nothing here imports Streamlit, and nothing downloads at run time.
"""
