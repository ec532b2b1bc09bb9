"""Where the project and its parts are on disk."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
TRANSLATIONS_DIR = ROOT / "app" / "translations"
STATIC_DIR = ROOT / "app" / "static"
