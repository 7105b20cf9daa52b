"""A checklist as plain chat text: short lines for a phone, at most one Telegram message.

Telegram caps a message at 4096 characters. The full layout shows each item's reason and tip;
if it would not fit, a compact layout drops the reasons, then the tips of the notes.
"""

from __future__ import annotations

from bot.materials.rules import Checklist, Item, MaterialsKnowledge, default_materials

TELEGRAM_LIMIT = 4096
GROUP_NUMERALS = "一二三四五六七八九"


def _forms_line(item: Item, knowledge: MaterialsKnowledge) -> str:
    labels = [knowledge.form_labels[f] for f in item.forms]
    return "形式：" + " / ".join(labels) if labels else ""


def _item_lines(index: int, item: Item, knowledge: MaterialsKnowledge, with_why: bool) -> list[str]:
    lines = [f"{index}. {item.name}"]
    if with_why:
        lines.append(f"   为什么：{item.why}")
    forms = _forms_line(item, knowledge)
    if forms:
        lines.append(f"   {forms}")
    lines.append(f"   提示：{item.tip}")
    return lines


def _note_lines(item: Item, with_tip: bool) -> list[str]:
    line = f"• {item.name}"
    if with_tip:
        line += f"：{item.tip}"
    if item.certainty == "uncertain":
        line += "（说法不一，请以官方为准）"
    return [line]


def render_checklist_text(
    checklist: Checklist,
    knowledge: MaterialsKnowledge | None = None,
    limit: int = TELEGRAM_LIMIT,
) -> str:
    """The whole checklist as one plain-text message no longer than ``limit`` characters."""
    knowledge = knowledge or default_materials()
    for with_why, with_note_tips in ((True, True), (False, True), (False, False)):
        text = _render(checklist, knowledge, with_why, with_note_tips)
        if len(text) <= limit:
            return text
    return text[: limit - 1] + "…"


def _render(
    checklist: Checklist, knowledge: MaterialsKnowledge, with_why: bool, with_note_tips: bool
) -> str:
    lines: list[str] = ["📋 你的居住证材料清单", ""]
    lines.extend(f"{topic}：{label}" for topic, label in checklist.summary)
    if checklist.blockers:
        lines += ["", "⚠️ 先解决这些，再准备材料"]
        for blocker in checklist.blockers:
            lines += ["", f"【{blocker.title}】", blocker.text]
    numeral = 0
    for group in checklist.groups:
        lines.append("")
        if group.title == "注意事项":
            lines.append("💡 注意事项")
            for item in group.items:
                lines.extend(_note_lines(item, with_note_tips))
            continue
        lines.append(f"{GROUP_NUMERALS[numeral]}、{group.title}")
        numeral += 1
        for index, item in enumerate(group.items, start=1):
            lines.extend(_item_lines(index, item, knowledge, with_why))
    return "\n".join(lines).strip()
