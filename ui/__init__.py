"""The app side: the one place that knows both Streamlit and core/. loaders.py loads each model
once per process, charts.py draws what more than one page shows, webrtc.py sets up the live
page's connection. Pages import from here; core/ never does.

Every page imports ui before anything from core/, for this: pylibsrtp (streamlit-webrtc →
aiortc) segfaults the process when it is first imported after TensorFlow (TF 2.21 exports
OpenSSL-like symbols that clash), so it is loaded here, first. tests/app/test_import_order.py
pins that.
"""
import pylibsrtp  # noqa: F401  (import order matters; see above)
