"""Local console chat through the very same pipeline as Telegram.

Buttons are shown as numbered choices; typing the number presses the button.
``/photo PATH`` sends an image to the photo pre-check.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.channels.photo_check import CHECKING_TEXT, CONSOLE_KIND_HINT, precheck_photo
from bot.config import Settings
from bot.pipeline import Assistant, build_assistant
from bot.replies import Button, Reply

SENDER = "console:local"
OUT_DIR_NAME = "console-out"


def render_reply(reply: Reply, offset: int, out_dir: Path) -> tuple[str, list[Button]]:
    """Plain-text rendering of one reply; buttons are numbered from ``offset + 1``."""
    lines = [f"🤖 {reply.text}"] if reply.text else []
    for i, button in enumerate(reply.buttons, start=offset + 1):
        lines.append(f"   [{i}] {button.title}")
    for data, name in (
        (reply.image, reply.image_name or "image.png"),
        (reply.document, reply.document_name or "file"),
    ):
        if data is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / name
            path.write_bytes(data)
            lines.append(f"   📎 已保存到 {path}")
    return "\n".join(lines), list(reply.buttons)


PHOTO_USAGE = "用法：/photo 图片路径 [材料名称，如 身份证正面]"


def _unquoted_path(text: str) -> Path:
    return Path(text.strip().strip('"').strip("'")).expanduser()


def photo_path_and_caption(argument: str) -> tuple[Path | None, str | None]:
    """``/photo PATH [说明]``: the path may contain spaces; the words after the longest prefix that
    names an existing file are the caption (「身份证 国徽面」), as under a Telegram photo."""
    argument = argument.strip()
    if not argument:
        return None, None
    words = argument.split(" ")
    for cut in range(len(words), 0, -1):
        path = _unquoted_path(" ".join(words[:cut]))
        if path.is_file():
            return path, " ".join(words[cut:]).strip() or None
    return _unquoted_path(argument), None


async def photo_replies(argument: str) -> list[Reply]:
    """The pre-check of a local file. Unlike Telegram, no compressed copy is offered: the
    console would have to write the photo to disk, and photos are never written anywhere."""
    path, caption = photo_path_and_caption(argument)
    if path is None:
        return [Reply(PHOTO_USAGE)]
    if not path.is_file():
        return [Reply(f"找不到文件：{path}。{PHOTO_USAGE}")]
    print(f"🤖 {CHECKING_TEXT}", flush=True)
    data = await asyncio.to_thread(path.read_bytes)
    outcome = await precheck_photo(data, path.name, caption)
    return [Reply(f"{outcome.text}\n{CONSOLE_KIND_HINT}" if outcome.pick_kind else outcome.text)]


async def chat_loop(assistant: Assistant, settings: Settings) -> None:
    out_dir = settings.data_dir / OUT_DIR_NAME
    buttons: list[Button] = []
    print(
        "居住证助手（本地对话）。直接输入问题；输入按钮前的数字选择；/photo 路径 检查照片；/quit 退出。"
    )
    turn = await assistant.handle_payload(SENDER, "/greet")
    replies = turn.replies
    while True:
        buttons = []
        for reply in replies:
            text, new_buttons = render_reply(reply, len(buttons), out_dir)
            buttons.extend(new_buttons)
            print(text)
        try:
            line = await asyncio.to_thread(sys.stdin.buffer.readline)
        except (KeyboardInterrupt, EOFError):
            break
        if not line:
            break
        try:
            text = line.decode("utf-8").strip()
        except UnicodeDecodeError:
            replies = (await assistant.handle_text(SENDER, line.rstrip(b"\n"), "console")).replies
            continue
        if text in {"/quit", "/exit", "退出"}:
            break
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            replies = (
                await assistant.handle_payload(SENDER, buttons[int(text) - 1].payload, "console")
            ).replies
        elif text.startswith("/photo"):
            replies = await photo_replies(text[len("/photo") :])
        elif text.startswith("/") and not text.startswith("/photo"):
            replies = (
                await assistant.handle_payload(
                    SENDER, COMMANDS.get(text.split()[0], text), "console"
                )
            ).replies
        else:
            replies = (await assistant.handle_text(SENDER, text, "console")).replies
    print("再见！")


COMMANDS = {
    "/start": "/greet",
    "/help": "/help",
    "/faq": "/faq_menu",
    "/materials": "/start_materials",
    "/remind": "/remind_me",
    "/check": "/precheck_start",
    "/cancel": "/cancel",
    "/reminders": "/reminders_list",
    "/mylist": "/mylist",
}


async def run_console(settings: Settings) -> int:
    assistant = await build_assistant(settings)
    try:
        await chat_loop(assistant, settings)
    finally:
        await assistant.aclose()
    return 0
