"""The live page's WebRTC stack must load before TensorFlow, or the whole server segfaults."""
import subprocess
import sys


def test_ui_first_then_tensorflow_then_webrtc_does_not_crash():
    code = "import ui.loaders, tensorflow, aiortc; print('ok')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": "."}, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
