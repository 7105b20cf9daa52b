"""The project's own CJK font is installed and really draws Chinese glyphs."""

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import cjk_font_path


def test_cjk_font_is_installed_by_the_project() -> None:
    path = cjk_font_path()
    assert path.is_file()
    assert path.suffix in {".ttc", ".ttf", ".otf"}


def test_font_draws_distinct_glyphs_for_chinese_characters() -> None:
    font = ImageFont.truetype(str(cjk_font_path()), 48)

    def ink(char: str) -> bytes:
        image = Image.new("L", (64, 64), 255)
        ImageDraw.Draw(image).text((4, 4), char, font=font, fill=0)
        return image.tobytes()

    # A font without CJK glyphs draws the same "tofu" box for every character.
    drawn = {ink(c) for c in "居住证材料"}
    assert len(drawn) == 5
    assert all(min(glyph) == 0 for glyph in drawn)
