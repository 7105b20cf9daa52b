"""A checklist as a clean PNG card — people screenshot and forward checklists.

Drawn with Pillow and the project's own CJK font (bot.fonts). The card is phone-shaped:
1080 px wide, as tall as the content. Layout is drawn on a tall canvas and cropped, which
keeps the code one pass and the height exact.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import cjk_font_path
from bot.materials.rules import Checklist, Item, MaterialsKnowledge, default_materials

WIDTH = 1080
MARGIN = 56
MAX_HEIGHT = 12000

INK = (33, 37, 41)
MUTED = (100, 108, 117)
ACCENT = (23, 92, 168)
ACCENT_LIGHT = (232, 241, 251)
WARN = (191, 87, 0)
WARN_LIGHT = (255, 244, 229)
RULE = (222, 226, 230)
WHITE = (255, 255, 255)


# Closing punctuation may hang past the margin rather than start a line (Chinese typesetting).
NO_LINE_START = frozenset("，。、；：？！）》」』”’…·,.;:?!)")
NO_LINE_END = frozenset("（《「『“‘(")


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size)


@lru_cache(maxsize=8192)
def _glyph_width(size: int, char: str) -> float:
    return _font(size).getlength(char)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break at any CJK character, but keep runs of Latin letters and digits together.

    Widths are summed per character (cached): CJK text has no kerning, and it keeps wrapping
    linear instead of re-measuring the growing line.
    """
    size = int(font.size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        for char in paragraph:
            previous = tokens[-1][-1:] if tokens else ""
            if char.isascii() and char.isalnum() and previous.isascii() and previous.isalnum():
                tokens[-1] += char
            else:
                tokens.append(char)
        current, current_width = "", 0.0
        for token in tokens:
            token_width = sum(_glyph_width(size, c) for c in token)
            if current_width + token_width <= width or not current:
                current += token
                current_width += token_width
                continue
            carry = ""
            if token in NO_LINE_START:
                # Push the last character(s) down with the punctuation (kinsoku).
                while len(current) > 1 and (not carry or carry[0] in NO_LINE_START):
                    carry, current = current[-1] + carry, current[:-1]
            while len(current) > 1 and current[-1] in NO_LINE_END:
                carry, current = current[-1] + carry, current[:-1]
            lines.append(current)
            current = (carry + token).lstrip() if carry else token.lstrip()
            current_width = sum(_glyph_width(size, c) for c in current)
        lines.append(current)
    return lines


@dataclass
class _Pen:
    """Draws top to bottom; ``y`` is where the next block starts."""

    draw: ImageDraw.ImageDraw
    y: int = 0

    def text_block(
        self,
        text: str,
        size: int,
        x: int,
        width: int,
        fill: tuple[int, int, int],
        bold: bool = False,
        line_gap: int = 10,
    ) -> None:
        font = _font(size)
        for line in wrap_text(text, font, width):
            self.draw.text(
                (x, self.y),
                line,
                font=font,
                fill=fill,
                stroke_width=1 if bold else 0,
                stroke_fill=fill,
            )
            self.y += size + line_gap


def _header(pen: _Pen, checklist: Checklist) -> None:
    summary = " · ".join(label for _topic, label in checklist.summary)
    font = _font(30)
    summary_lines = wrap_text(summary, font, WIDTH - 2 * MARGIN)
    height = 150 + len(summary_lines) * 42
    pen.draw.rectangle((0, 0, WIDTH, height), fill=ACCENT)
    pen.y = 44
    pen.text_block("上海市居住证 · 我的材料清单", 52, MARGIN, WIDTH - 2 * MARGIN, WHITE, bold=True)
    pen.y += 10
    pen.text_block(summary, 30, MARGIN, WIDTH - 2 * MARGIN, (220, 233, 247), line_gap=12)
    pen.y = height + 36


def _blockers(pen: _Pen, checklist: Checklist) -> None:
    for blocker in checklist.blockers:
        top = pen.y
        inner = WIDTH - 2 * MARGIN - 56
        # Measure first so the box can be drawn behind the text.
        font_title, font_body = _font(36), _font(28)
        height = 36 + len(wrap_text(blocker.title, font_title, inner)) * 48 + 12
        height += len(wrap_text(blocker.text, font_body, inner)) * 40 + 28
        pen.draw.rounded_rectangle(
            (MARGIN, top, WIDTH - MARGIN, top + height),
            radius=20,
            fill=WARN_LIGHT,
            outline=WARN,
            width=3,
        )
        pen.y = top + 32
        pen.text_block(
            "先解决：" + blocker.title, 36, MARGIN + 28, inner, WARN, bold=True, line_gap=12
        )
        pen.y += 12
        pen.text_block(blocker.text, 28, MARGIN + 28, inner, INK, line_gap=12)
        pen.y = top + height + 32


def _group_title(pen: _Pen, title: str) -> None:
    pen.draw.rounded_rectangle(
        (MARGIN, pen.y, WIDTH - MARGIN, pen.y + 64), radius=14, fill=ACCENT_LIGHT
    )
    pen.draw.text(
        (MARGIN + 24, pen.y + 12),
        title,
        font=_font(38),
        fill=ACCENT,
        stroke_width=1,
        stroke_fill=ACCENT,
    )
    pen.y += 88


def _document(pen: _Pen, item: Item, knowledge: MaterialsKnowledge) -> None:
    box = 34
    text_x = MARGIN + box + 24
    width = WIDTH - MARGIN - text_x
    pen.draw.rounded_rectangle(
        (MARGIN + 4, pen.y + 4, MARGIN + 4 + box, pen.y + 4 + box),
        radius=6,
        outline=ACCENT,
        width=3,
    )
    pen.text_block(item.name, 36, text_x, width, INK, bold=True, line_gap=12)
    forms = " / ".join(knowledge.form_labels[f] for f in item.forms)
    if forms:
        pen.text_block(forms, 26, text_x, width, ACCENT, line_gap=10)
    pen.text_block(item.tip, 28, text_x, width, MUTED, line_gap=10)
    pen.y += 22


def _note(pen: _Pen, item: Item) -> None:
    text_x = MARGIN + 36
    pen.draw.ellipse((MARGIN + 6, pen.y + 12, MARGIN + 20, pen.y + 26), fill=WARN)
    caveat = "（说法不一，以官方为准）" if item.certainty == "uncertain" else ""
    pen.text_block(
        f"{item.name}：{item.tip}{caveat}", 28, text_x, WIDTH - MARGIN - text_x, INK, line_gap=10
    )
    pen.y += 12


def _footer(pen: _Pen, today: date) -> None:
    pen.y += 8
    pen.draw.line((MARGIN, pen.y, WIDTH - MARGIN, pen.y), fill=RULE, width=2)
    pen.y += 24
    pen.text_block(
        f"生成于 {today:%Y-%m-%d} · 仅供参考，以随申办 / 一网通办办理页面的最新清单为准",
        24,
        MARGIN,
        WIDTH - 2 * MARGIN,
        MUTED,
    )
    pen.y += 28


def render_card(
    checklist: Checklist, knowledge: MaterialsKnowledge | None = None, today: date | None = None
) -> bytes:
    """The checklist as PNG bytes (RGB, 1080 px wide)."""
    knowledge = knowledge or default_materials()
    today = today or date.today()
    image = Image.new("RGB", (WIDTH, MAX_HEIGHT), WHITE)
    pen = _Pen(ImageDraw.Draw(image))
    _header(pen, checklist)
    _blockers(pen, checklist)
    for group in checklist.groups:
        _group_title(pen, group.title)
        for item in group.items:
            if group.title == "注意事项":
                _note(pen, item)
            else:
                _document(pen, item, knowledge)
        pen.y += 12
    _footer(pen, today)
    image = image.crop((0, 0, WIDTH, min(pen.y, MAX_HEIGHT)))
    # A 64-colour palette keeps the anti-aliased text crisp at a third of the size, and fast
    # zlib keeps rendering well under a second (optimize=True took seconds).
    palette = image.quantize(64, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="PNG", compress_level=1)
    return out.getvalue()
