"""The house rules, checked: core/ never imports Streamlit or the app side, the course's trigger-word
pieces do not lean on training or voice banks, and every page loads ui/ before core/."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_SIDE = ("streamlit", "streamlit_webrtc", "ui", "pages")


def imported(path: Path) -> list[str]:
    """Every module a file imports, in the order it imports them (imports inside functions too)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
    return names


def top_level_imports(path: Path) -> list[str]:
    names = []
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
    return names


def under(name: str, packages) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("path", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_streamlit_or_the_app_side(path):
    assert not [name for name in imported(path) if under(name, APP_SIDE)]


def test_the_course_pieces_of_the_trigger_word_stand_on_their_own():
    """core/trigger/*.py (the course's pieces and the live path) use neither training/ nor
    voicebank/; only the command line (__main__.py) reaches into them."""
    for path in sorted((ROOT / "core" / "trigger").glob("*.py")):
        if path.name != "__main__.py":
            leaning = [n for n in imported(path) if under(n, ("core.trigger.training", "core.trigger.voicebank"))]
            assert not leaning, f"{path.name} imports {leaning}"


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"],
                         ids=lambda p: p.name)
def test_pages_load_ui_before_core(path):
    """ui/ loads pylibsrtp, which segfaults the process when it comes after TensorFlow (core/)."""
    names = top_level_imports(path)
    first_core = next((i for i, n in enumerate(names) if under(n, ("core",))), len(names))
    assert not [n for n in names[first_core:] if under(n, ("ui",))], names
