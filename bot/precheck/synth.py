"""Synthetic Chinese documents and graded photo defects for tests and benchmarks.

There is no real Chinese document or ID photo in the labelled set, so we render look-alikes:
ID-card-like cards (front with a fake number that passes the GB 11643-1999 check digit, back with
a validity period), a 住房租赁合同备案通知书, contract pages and drawn portrait-like faces on
white/blue/grey/busy backgrounds. ``photograph`` lays a document on a desk like a phone photo and
``degrade`` applies one defect at a graded strength. Deterministic per seed; nothing here is a
real person or a real document. Images are made in memory, never saved by this module.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bot.precheck.content import id_check_digit

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
STREETS = ("浦东新区张杨路", "徐汇区漕溪北路", "闵行区七莘路", "静安区共和新路", "杨浦区控江路", "普陀区真北路")
CLAUSES = (
    "双方本着平等自愿、协商一致的原则订立本合同，共同遵守合同所列各项条款。",
    "本合同期限自签订之日起计算，期满后双方可以协商续订。",
    "甲方应当依法为乙方缴纳社会保险费，并按月足额支付劳动报酬。",
    "乙方应当遵守甲方依法制定的规章制度，按时完成工作任务。",
    "工作地点为上海市，工作时间实行标准工时制度，每日不超过八小时。",
    "如遇国家法律法规调整，双方按新的规定执行相应条款。",
    "合同一式两份，双方各执一份，自双方签字或盖章之日起生效。",
    "租赁房屋用途为居住，承租人不得擅自改变房屋结构和使用性质。",
    "出租人应当保证房屋及附属设施安全，承租人应当合理使用并爱护房屋。",
    "租金按月支付，承租人应在每月五日前将当月租金支付给出租人。",
    "本通知书仅证明该住房租赁合同已经登记备案，不作为房屋权属证明。",
    "如合同内容发生变更或者提前解除，当事人应当及时办理变更或注销手续。",
)


@lru_cache(maxsize=32)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    from bot.fonts import cjk_font_path

    return ImageFont.truetype(str(cjk_font_path()), size)


def fake_id_number(rng: np.random.Generator, birth: date | None = None) -> str:
    """An 18-digit Shanghai-looking number with a correct check digit (not anyone's real number)."""
    birth = birth or date(int(rng.integers(1965, 2003)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    region = str(rng.choice(["310101", "310104", "310105", "310106", "310110", "310115"]))
    body = f"{region}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return body + id_check_digit(body)


def fake_name(rng: np.random.Generator) -> str:
    return str(rng.choice(list(SURNAMES))) + "".join(rng.choice(list(GIVEN), size=int(rng.integers(1, 3))))


def _card_canvas(rng: np.random.Generator, size: tuple[int, int] = (1000, 630)) -> Image.Image:
    width, height = size
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    base = np.stack([236 - 14 * x + 0 * y, 240 - 6 * y + 0 * x, 246 - 10 * x * y], axis=-1)
    waves = 5 * np.sin(x * 40 + y * 12)[..., None]
    card = np.clip(base + waves + rng.normal(0, 1.5, (height, width, 1)), 0, 255).astype(np.uint8)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, width - 1, height - 1], radius=34, fill=255)
    image.paste(Image.fromarray(card), mask=mask)
    return image


def render_id_front(rng: np.random.Generator, id_number: str | None = None) -> Image.Image:
    """人像面 look-alike: name, sex, ethnicity, birth date, address, 18-digit number, a drawn face."""
    card = _card_canvas(rng)
    draw = ImageDraw.Draw(card)
    label, value, small = cjk_font(30), cjk_font(36), cjk_font(32)
    birth = date(int(rng.integers(1965, 2003)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    number = id_number or fake_id_number(rng, birth)
    grey, ink = (70, 110, 150), (20, 20, 25)
    draw.text((60, 60), "姓名", font=label, fill=grey)
    draw.text((160, 55), fake_name(rng), font=value, fill=ink)
    draw.text((60, 135), "性别", font=label, fill=grey)
    draw.text((160, 130), str(rng.choice(["男", "女"])), font=value, fill=ink)
    draw.text((280, 135), "民族", font=label, fill=grey)
    draw.text((380, 130), "汉", font=value, fill=ink)
    draw.text((60, 210), "出生", font=label, fill=grey)
    draw.text((160, 205), f"{birth.year} 年 {birth.month} 月 {birth.day} 日", font=value, fill=ink)
    draw.text((60, 285), "住址", font=label, fill=grey)
    street = str(rng.choice(STREETS))
    draw.text((160, 280), f"上海市{street}", font=small, fill=ink)
    draw.text((160, 330), f"{int(rng.integers(1, 999))}弄{int(rng.integers(1, 60))}号{int(rng.integers(101, 2002))}室", font=small, fill=ink)
    draw.text((60, 490), "公民身份号码", font=label, fill=grey)
    draw.text((290, 484), number, font=cjk_font(40), fill=ink)
    face = render_portrait(rng, background="card", size=(250, 310), face_scale=1.0)
    card.paste(face, (700, 90))
    return card


def render_id_back(rng: np.random.Generator, valid_until: date | None = None) -> Image.Image:
    """国徽面 look-alike: title lines, issuing authority and a validity period."""
    card = _card_canvas(rng)
    draw = ImageDraw.Draw(card)
    red = (190, 40, 40)
    draw.ellipse([60, 50, 200, 190], outline=red, width=6)
    draw.regular_polygon((130, 120, 40), 5, fill=red)
    draw.text((290, 70), "中华人民共和国", font=cjk_font(56), fill=(20, 20, 25))
    draw.text((300, 160), "居民身份证", font=cjk_font(76), fill=(20, 20, 25))
    grey, ink = (70, 110, 150), (20, 20, 25)
    start = valid_until.replace(year=valid_until.year - 20) if valid_until else date(2019, 5, 12)
    end = valid_until or date(2039, 5, 12)
    draw.text((120, 400), "签发机关", font=cjk_font(32), fill=grey)
    draw.text((290, 396), f"上海市公安局{str(rng.choice(['浦东', '徐汇', '闵行', '静安']))}分局", font=cjk_font(36), fill=ink)
    draw.text((120, 480), "有效期限", font=cjk_font(32), fill=grey)
    draw.text((290, 476), f"{start:%Y.%m.%d}-{end:%Y.%m.%d}", font=cjk_font(36), fill=ink)
    return card


def _page(rng: np.random.Generator, title: str, lines: list[str], size: tuple[int, int] = (1240, 1754)) -> Image.Image:
    width, height = size
    page = Image.new("RGBA", size, (250, 250, 247, 255))
    draw = ImageDraw.Draw(page)
    title_font = cjk_font(56)
    title_width = draw.textlength(title, font=title_font)
    draw.text(((width - title_width) / 2, 120), title, font=title_font, fill=(15, 15, 15))
    body = cjk_font(32)
    y = 260
    for line in lines:
        for chunk in _wrap(line, 33):
            draw.text((130, y), chunk, font=body, fill=(25, 25, 25))
            y += 52
        y += 14
        if y > height - 200:
            break
    return page


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def render_filing_notice(rng: np.random.Generator) -> Image.Image:
    """上海市住房租赁合同备案通知书 look-alike with a filing number and a red stamp."""
    number = f"沪租备{int(rng.integers(2019, 2026))}{int(rng.integers(100000, 999999))}"
    lines = [
        f"备案编号：{number}",
        f"出租人：{fake_name(rng)}        承租人：{fake_name(rng)}",
        f"房屋坐落：上海市{rng.choice(STREETS)}{int(rng.integers(1, 999))}弄{int(rng.integers(1, 60))}号",
        f"租赁期限：{int(rng.integers(2023, 2026))}年{int(rng.integers(1, 13))}月1日至{int(rng.integers(2026, 2029))}年{int(rng.integers(1, 13))}月1日",
        "经审核，上述住房租赁合同符合登记备案条件，现予以备案。",
        *[str(c) for c in rng.choice(CLAUSES[7:], size=4, replace=False)],
        f"备案机构：上海市{rng.choice(['浦东新区', '徐汇区', '闵行区'])}房屋管理局",
    ]
    page = _page(rng, "上海市住房租赁合同备案通知书", lines)
    draw = ImageDraw.Draw(page)
    draw.ellipse([820, 1300, 1080, 1560], outline=(200, 40, 40, 255), width=8)
    draw.text((868, 1410), "备案专用章", font=cjk_font(30), fill=(200, 40, 40, 255))
    return page


def render_contract_page(rng: np.random.Generator) -> Image.Image:
    """劳动合同 page look-alike: parties and numbered clauses."""
    lines = [
        f"甲方（用人单位）：上海{rng.choice(['华申', '浦江', '申城', '东方'])}科技有限公司",
        f"乙方（劳动者）：{fake_name(rng)}",
        *[f"第{i + 1}条 {c}" for i, c in enumerate(rng.choice(CLAUSES[:7], size=7, replace=False))],
        "甲方（盖章）：                    乙方（签字）：",
    ]
    return _page(rng, "劳动合同", lines)


def render_portrait(
    rng: np.random.Generator,
    background: str = "white",
    faces: int = 1,
    face_scale: float = 1.0,
    size: tuple[int, int] = (413, 579),
    canvas: tuple[int, int] | None = None,
) -> Image.Image:
    """A drawn head-and-shoulders figure that OpenCV's frontal-face cascade detects.

    ``background``: white, blue, grey, busy or card (transparent corners for the ID card).
    ``canvas``: paste the finished photo, centred and low, onto a larger wall (a face too small).
    """
    width, height = size
    colours = {"white": (252, 252, 252), "blue": (67, 142, 219), "grey": (150, 140, 125), "card": (228, 232, 238)}
    if background == "busy":
        noise = rng.integers(0, 255, (height // 24 + 1, width // 24 + 1, 3), dtype=np.uint8)
        busy = cv2.resize(noise, (width, height), interpolation=cv2.INTER_NEAREST)
        image = Image.fromarray(busy)
    else:
        image = Image.new("RGB", size, colours[background])
    draw = ImageDraw.Draw(image)
    centres = [width / 2] if faces == 1 else [width * (i + 1) / (faces + 1) for i in range(faces)]
    shrink = 1.0 if faces <= 1 else 1.6 / faces
    for cx in centres:
        _draw_head(draw, cx, height * (0.45 if faces == 1 else 0.5), width * 0.30 * face_scale * shrink, height)
    image = image.filter(ImageFilter.GaussianBlur(1.6))
    if canvas is not None:
        wall = Image.new("RGB", canvas, image.getpixel((2, 2)))
        wall.paste(image, ((canvas[0] - width) // 2, canvas[1] - height))
        return wall
    return image


def _draw_head(draw: ImageDraw.ImageDraw, cx: float, cy: float, fw: float, height: int) -> None:
    fh = fw * 1.3
    draw.ellipse([cx - fw * 1.9, cy + fh * 1.25, cx + fw * 1.9, cy + fh * 3.2], fill=(40, 40, 60))
    draw.rectangle([cx - fw * 0.35, cy + fh * 0.7, cx + fw * 0.35, cy + fh * 1.35], fill=(215, 170, 140))
    draw.ellipse([cx - fw * 1.1, cy - fh * 1.15, cx + fw * 1.1, cy + fh * 0.4], fill=(30, 25, 20))
    draw.ellipse([cx - fw, cy - fh, cx + fw, cy + fh], fill=(225, 180, 150))
    ex, ey, er = fw * 0.42, cy - fh * 0.12, fw * 0.16
    for side in (-1, 1):
        x = cx + side * ex
        draw.ellipse([x - er * 1.6, ey - er * 2.7, x + er * 1.6, ey - er * 2.0], fill=(60, 40, 30))
        draw.ellipse([x - er * 1.4, ey - er * 0.7, x + er * 1.4, ey + er * 0.7], fill=(250, 250, 250))
        draw.ellipse([x - er * 0.65, ey - er * 0.65, x + er * 0.65, ey + er * 0.65], fill=(40, 25, 20))
    draw.polygon([(cx, ey + er * 0.5), (cx - fw * 0.14, cy + fh * 0.3), (cx + fw * 0.14, cy + fh * 0.3)], fill=(195, 145, 115))
    draw.ellipse([cx - fw * 0.35, cy + fh * 0.48, cx + fw * 0.35, cy + fh * 0.62], fill=(170, 80, 80))


# --- putting a document in front of a camera -------------------------------------------------


@dataclass
class Photo:
    """A phone-photo-like RGB array and where the document's corners landed in it."""

    rgb: np.ndarray
    quad: np.ndarray  # 4x2 float32, clockwise from top-left
    content: np.ndarray  # 4x2 float32: corners of the inked area (text, photo) in the frame


def _desk(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    kind = rng.integers(0, 3)
    base = {0: (92, 64, 45), 1: (70, 72, 78), 2: (128, 110, 90)}[int(kind)]
    grain = cv2.resize(rng.normal(0, 1, (height // 8 + 1, 4)), (width, height), interpolation=cv2.INTER_CUBIC)
    desk = np.array(base, dtype=np.float32)[None, None, :] + 10 * grain[..., None]
    return desk + rng.normal(0, 4, (height, width, 1))


def photograph(
    document: Image.Image,
    rng: np.random.Generator,
    long_side: int = 1600,
    fill: float | None = None,
    tilt: float = 0.03,
) -> Photo:
    """Place the document on a desk with a little rotation/perspective, uneven light and noise."""
    doc = np.asarray(document.convert("RGBA")).astype(np.float32)
    doc_h, doc_w = doc.shape[:2]
    if doc_w >= doc_h:
        width, height = long_side, int(long_side * 0.75)
    else:
        width, height = int(long_side * 0.75), long_side
    fill = fill if fill is not None else float(rng.uniform(0.62, 0.78))
    scale = fill * min(width / doc_w, height / doc_h)
    out_w, out_h = doc_w * scale, doc_h * scale
    x0, y0 = (width - out_w) / 2, (height - out_h) / 2
    x0 += rng.uniform(-0.3, 0.3) * (width - out_w) / 2
    y0 += rng.uniform(-0.3, 0.3) * (height - out_h) / 2
    quad = np.array([[x0, y0], [x0 + out_w, y0], [x0 + out_w, y0 + out_h], [x0, y0 + out_h]], dtype=np.float32)
    quad += rng.uniform(-tilt, tilt, quad.shape).astype(np.float32) * np.float32(min(out_w, out_h))
    source = np.array([[0, 0], [doc_w, 0], [doc_w, doc_h], [0, doc_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, quad)
    content = cv2.perspectiveTransform(_content_box(doc)[None], matrix)[0]
    warped = cv2.warpPerspective(doc, matrix, (width, height), flags=cv2.INTER_AREA, borderValue=(0, 0, 0, 0))
    alpha = (warped[..., 3:4] / 255.0).astype(np.float32)
    shadow = cv2.GaussianBlur(alpha, (0, 0), 12)
    scene = _desk(rng, width, height) * (1 - 0.35 * np.clip(shadow.reshape(height, width, 1), 0, 1))
    scene = scene * (1 - alpha) + warped[..., :3] * alpha
    light = _lighting(rng, width, height)
    scene = scene * light[..., None] + rng.normal(0, 2.0, (height, width, 1))
    rgb = np.clip(scene, 0, 255).astype(np.uint8)
    return Photo(rgb=cv2.GaussianBlur(rgb, (0, 0), 0.6), quad=quad, content=content)


def _content_box(doc: np.ndarray) -> np.ndarray:
    gray = doc[..., :3].mean(axis=2)
    ys, xs = np.nonzero((gray < 160) & (doc[..., 3] > 0))
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _lighting(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    gx, gy = rng.uniform(-0.08, 0.08, 2)
    exposure = rng.uniform(0.8, 0.95)  # auto-exposure keeps white paper below clipping
    return (exposure + gx * (x / width - 0.5) + gy * (y / height - 0.5)).astype(np.float32)


# --- defects at graded strengths -------------------------------------------------------------

LEVELS = ("slight", "moderate", "strong")
DEFECT_STRENGTHS: dict[str, dict[str, float]] = {
    "blur": {"slight": 1.2, "moderate": 2.6, "strong": 4.5},  # Gaussian sigma, px at 1600 px
    "motion": {"slight": 7, "moderate": 17, "strong": 31},  # kernel length, px
    "glare": {"slight": 0.10, "moderate": 0.18, "strong": 0.28},  # spot radius / document size
    "crop": {"slight": 0.01, "moderate": 0.06, "strong": 0.2},  # share of the inked area cut off
    "dark": {"slight": 0.6, "moderate": 0.3, "strong": 0.15},  # brightness factor
    "bright": {"slight": 0.3, "moderate": 0.18, "strong": 0.1},  # remaining contrast to white
    "jpeg": {"slight": 70, "moderate": 45, "strong": 25},  # JPEG quality (not a defect)
    "perspective": {"slight": 0.05, "moderate": 0.09, "strong": 0.13},  # corner jitter (not a defect)
}
# Which pre-check code each defect should raise (jpeg/perspective are nuisances, not defects).
DEFECT_CODES: dict[str, str | None] = {
    "blur": "blurry", "motion": "blurry", "glare": "glare", "crop": "cropped",
    "dark": "too_dark", "bright": "too_bright", "jpeg": None, "perspective": None,
}


def degrade(photo: Photo, defect: str, level: str, rng: np.random.Generator) -> np.ndarray:
    """Apply one defect to a photographed document."""
    strength = DEFECT_STRENGTHS[defect][level]
    rgb: Any = photo.rgb.astype(np.float32)
    if defect == "blur":
        rgb = cv2.GaussianBlur(rgb, (0, 0), strength)
    elif defect == "motion":
        rgb = motion_blur(rgb, int(strength), float(rng.uniform(0, 180)))
    elif defect == "glare":
        rgb = _add_glare(rgb, photo.quad, strength, rng)
    elif defect == "crop":
        return _crop_document(photo, strength, rng)
    elif defect == "dark":
        rgb = rgb * strength
    elif defect == "bright":
        rgb = 255 - (255 - rgb) * strength
    elif defect == "perspective":
        return photograph_again(photo, strength, rng)
    elif defect == "jpeg":
        return decode_jpeg(encode_jpeg(photo.rgb, int(strength)))
    return np.clip(rgb + rng.normal(0, 1.0, rgb.shape[:2] + (1,)), 0, 255).astype(np.uint8)


def motion_blur(rgb: np.ndarray, length: int, angle: float) -> np.ndarray:
    """Smear the image along a straight line of ``length`` px at ``angle`` degrees (camera shake)."""
    kernel: Any = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(rgb, -1, kernel / max(kernel.sum(), 1e-6))


def _add_glare(rgb: np.ndarray, quad: np.ndarray, radius_share: float, rng: np.random.Generator) -> np.ndarray:
    height, width = rgb.shape[:2]
    doc_size = float(np.linalg.norm(quad[2] - quad[0])) / 1.41
    centre = quad.mean(axis=0) + rng.uniform(-0.2, 0.2, 2) * (quad[2] - quad[0])
    radius = radius_share * doc_size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    ratio = float(rng.uniform(0.5, 1.0))
    dist = np.sqrt(((x - centre[0]) / radius) ** 2 + ((y - centre[1]) / (radius * ratio)) ** 2)
    core = np.clip(1.6 - dist, 0, 1)  # saturated core, soft halo
    glow = np.exp(-(dist**2) / 2.5) * 0.55
    mask = np.clip(np.maximum(core, glow), 0, 1)[..., None]
    return rgb + (255 - rgb) * mask


def _crop_document(photo: Photo, share: float, rng: np.random.Generator) -> np.ndarray:
    """A too-tight frame: cut ``share`` of the inked area away on one or two sides, so the frame
    edge runs through text. Pages are cut at the sides (where every line starts or ends); cards
    on any side."""
    rgb = photo.rgb
    height, width = rgb.shape[:2]
    xs, ys = photo.content[:, 0], photo.content[:, 1]
    doc_w, doc_h = xs.max() - xs.min(), ys.max() - ys.min()
    paper_w = photo.quad[:, 0].max() - photo.quad[:, 0].min()
    paper_h = photo.quad[:, 1].max() - photo.quad[:, 1].min()
    is_page = paper_h > paper_w
    choices = ["left", "right"] if is_page else ["left", "top", "right", "bottom"]
    sides = rng.choice(choices, size=int(rng.integers(1, 3)), replace=False)
    left, top, right, bottom = 0, 0, width, height
    for side in sides:
        if side == "left":
            left = int(xs.min() + share * doc_w)
        elif side == "right":
            right = int(xs.max() - share * doc_w)
        elif side == "top":
            top = int(ys.min() + share * doc_h)
        else:
            bottom = int(ys.max() - share * doc_h)
    return np.ascontiguousarray(rgb[top:bottom, left:right])


def photograph_again(photo: Photo, jitter: float, rng: np.random.Generator) -> np.ndarray:
    height, width = photo.rgb.shape[:2]
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    target = source + rng.uniform(-jitter, jitter, source.shape).astype(np.float32) * np.float32(min(width, height)) * 0.5
    target = np.clip(target, [0, 0], [width, height]).astype(np.float32)
    # keep the document inside the frame: shrink towards the centre first
    centre = np.array([width / 2, height / 2], dtype=np.float32)
    target = centre + (target - centre) * 0.92
    matrix = cv2.getPerspectiveTransform(source, target)
    border = tuple(int(v) for v in photo.rgb[2, 2])
    return cv2.warpPerspective(photo.rgb, matrix, (width, height), borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def encode_jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def decode_jpeg(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


# --- the generated evaluation set ------------------------------------------------------------

DOCUMENT_RENDERERS: dict[str, Callable[[np.random.Generator], Image.Image]] = {
    "id_front": render_id_front,
    "id_back": render_id_back,
    "rental_filing": render_filing_notice,
    "contract": render_contract_page,
}


@dataclass
class SynthSample:
    """One generated photo with its truth: which defect codes must (and must not) be raised."""

    name: str
    kind: str
    data: bytes
    defect: str  # "clean" or a DEFECT_STRENGTHS key
    level: str  # "", slight, moderate, strong
    expected: set[str] = field(default_factory=set)
    borderline: bool = False


def render_document(kind: str, rng: np.random.Generator) -> Image.Image:
    return DOCUMENT_RENDERERS[kind](rng)


def generate_samples(seed: int = 0, repeats: int = 1, kinds: tuple[str, ...] = tuple(DOCUMENT_RENDERERS)) -> Iterator[SynthSample]:
    """Every document kind × (clean + every defect × level), ``repeats`` times with new layouts.

    Slight levels are marked borderline: a human would often still accept them.
    """
    rng = np.random.default_rng(seed)
    for repeat in range(repeats):
        for kind in kinds:
            photo = photograph(render_document(kind, rng), rng)
            yield SynthSample(f"{kind}-{repeat}-clean", kind, encode_jpeg(photo.rgb), "clean", "")
            for defect in DEFECT_STRENGTHS:
                for level in LEVELS:
                    rgb = degrade(photo, defect, level, rng)
                    code = DEFECT_CODES[defect]
                    yield SynthSample(
                        f"{kind}-{repeat}-{defect}-{level}",
                        kind,
                        rgb if isinstance(rgb, bytes) else encode_jpeg(rgb),
                        defect,
                        level,
                        expected={code} if code else set(),
                        borderline=bool(code) and level == "slight",
                    )


def portrait_bytes(rng: np.random.Generator, **kwargs: object) -> bytes:
    return encode_jpeg(np.asarray(render_portrait(rng, **kwargs)))  # type: ignore[arg-type]


PORTRAIT_CASES: dict[str, tuple[dict[str, object], set[str]]] = {
    "white": ({"background": "white"}, set()),
    "blue": ({"background": "blue"}, {"background"}),  # a warning: the official notice asks for white
    "grey": ({"background": "grey"}, {"background"}),
    "busy": ({"background": "busy"}, {"background"}),
    "two-faces": ({"background": "white", "faces": 2}, {"multiple_faces"}),
    "small-face": ({"background": "white", "canvas": (1000, 1400)}, {"face_size"}),
    "no-face": ({"background": "white", "faces": 0}, {"face_missing"}),
}


def generate_portrait_samples(seed: int = 0) -> Iterator[SynthSample]:
    rng = np.random.default_rng(seed)
    for name, (kwargs, expected) in PORTRAIT_CASES.items():
        yield SynthSample(f"portrait-{name}", "portrait", portrait_bytes(rng, **kwargs), name, "", expected=set(expected))


def generate_content_samples(seed: int = 0) -> Iterator[SynthSample]:
    """Documents that are clean as photos but wrong in content."""
    rng = np.random.default_rng(seed)
    number = fake_id_number(rng)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    cases = [
        ("id-bad-checksum", "id_front", render_id_front(rng, id_number=wrong), {"id_number_invalid"}),
        ("id-back-expired", "id_back", render_id_back(rng, valid_until=date(2021, 6, 30)), {"id_expired"}),
        ("id-back-as-front", "id_front", render_id_back(rng), {"wrong_document"}),
        ("contract-as-filing", "rental_filing", render_contract_page(rng), {"wrong_document"}),
    ]
    for name, kind, image, expected in cases:
        photo = photograph(image, rng)
        yield SynthSample(name, kind, encode_jpeg(photo.rgb), "content", "", expected=expected)
