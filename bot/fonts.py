"""Where the CJK font lives: cards and generated test images need real Chinese glyphs.

The project installs its own font through pip (``paperang-p2-fonts-cjk`` ships WenQuanYi
Micro Hei), so a fresh ``make setup`` has it inside .venv without any system package.
Debian's fonts-wqy-microhei / fonts-noto-cjk are accepted as a fallback, and
``JZZ_CJK_FONT`` overrides both (e.g. a nicer font on a production host).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

FONT_ENV_VAR = "JZZ_CJK_FONT"

# Debian/Ubuntu locations, tried only when the pip-installed font is missing.
SYSTEM_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs was found; run ``make setup`` (pip installs one)."""


def _packaged_font() -> Path | None:
    spec = importlib.util.find_spec("paperang_p2_fonts_cjk")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "fonts" / "wqy-microhei.ttc"
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of a TrueType/OpenType collection that renders Simplified Chinese."""
    override = os.environ.get(FONT_ENV_VAR, "").strip()
    if override:
        path = Path(override)
        if not path.is_file():
            raise CJKFontMissing(f"{FONT_ENV_VAR}={override} does not exist")
        return path
    packaged = _packaged_font()
    if packaged is not None:
        return packaged
    for candidate in SYSTEM_FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise CJKFontMissing(
        "No CJK font found: install the project (pip install -e .) which pulls "
        "paperang-p2-fonts-cjk, or apt-get install fonts-wqy-microhei."
    )
