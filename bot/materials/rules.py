"""The materials rules: load knowledge/materials/*.yml, validate it, and build a checklist.

The YAML is the single source of truth (what each document is, who needs it, which blockers
apply); this module only evaluates it. ``build_checklist`` is pure: answers in, checklist out.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

MATERIALS_DIR = PROJECT_ROOT / "knowledge" / "materials"
SLOT_PREFIX = "mat_"
ANY_ANSWERS: Mapping[str, str] = {}

# Slots whose values are free (a date) rather than one of the question's options.
FREE_VALUE_SLOTS = frozenset({"registered_on"})
ELIGIBILITY_MONTHS = 6


class MaterialsDataError(ValueError):
    """knowledge/materials is inconsistent (unknown item, bad group, missing field …)."""


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    why: str
    forms: tuple[str, ...]
    tip: str
    group: str
    certainty: str
    sources: tuple[str, ...]
    last_verified: date


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    button: str


@dataclass(frozen=True)
class Question:
    slot: str
    prompt: str
    why: str
    options: tuple[Option, ...]
    ask_when: tuple[Mapping[str, tuple[str, ...]], ...]

    @property
    def rasa_slot(self) -> str:
        return SLOT_PREFIX + self.slot

    def label_for(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value


@dataclass(frozen=True)
class Rule:
    when: Mapping[str, tuple[str, ...]]
    items: tuple[str, ...]


@dataclass(frozen=True)
class BlockerSpec:
    id: str
    when: Mapping[str, tuple[str, ...]]
    title: str
    text: str
    sources: tuple[str, ...]
    kind: str = ""


@dataclass(frozen=True)
class MaterialsKnowledge:
    items: Mapping[str, Item]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    blockers: tuple[BlockerSpec, ...]
    form_labels: Mapping[str, str]
    groups: tuple[str, ...]

    def question(self, slot: str) -> Question:
        slot = slot.removeprefix(SLOT_PREFIX)
        for question in self.questions:
            if question.slot == slot:
                return question
        raise KeyError(slot)


@dataclass(frozen=True)
class MaterialsAnswers:
    """What the person told us. Values are the option values of questions.yml."""

    application: str
    applicant: str = "self"
    registration: str | None = None
    registered_on: date | None = None
    address_changed: str | None = None
    housing: str | None = None
    activity: str | None = None

    def as_conditions(self) -> dict[str, str]:
        """Answered slots as strings, the shape rule conditions are matched against."""
        values: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            values[key] = value.isoformat() if isinstance(value, date) else str(value)
        return values

    def to_json(self) -> dict[str, Any]:
        return self.as_conditions()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MaterialsAnswers:
        registered_on = data.get("registered_on")
        parsed_date: date | None = None
        if isinstance(registered_on, date):
            parsed_date = registered_on
        elif isinstance(registered_on, str) and registered_on not in ("", "unknown"):
            parsed_date = date.fromisoformat(registered_on)
        return cls(
            application=str(data["application"]),
            applicant=str(data.get("applicant") or "self"),
            registration=data.get("registration") or None,
            registered_on=parsed_date,
            address_changed=data.get("address_changed") or None,
            housing=data.get("housing") or None,
            activity=data.get("activity") or None,
        )

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> MaterialsAnswers:
        """Build from Rasa slots (``mat_`` prefixed) or plain slot names."""
        plain = {key.removeprefix(SLOT_PREFIX): value for key, value in slots.items()}
        return cls.from_json(plain)


@dataclass(frozen=True)
class Blocker:
    id: str
    title: str
    text: str
    sources: tuple[str, ...]
    eligible_on: date | None = None
    offer_reminder: bool = False


@dataclass(frozen=True)
class ChecklistGroup:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklist:
    answers: MaterialsAnswers
    summary: tuple[tuple[str, str], ...]
    groups: tuple[ChecklistGroup, ...]
    blockers: tuple[Blocker, ...] = field(default_factory=tuple)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for group in self.groups for item in group.items)

    def item_ids(self) -> set[str]:
        return {item.id for item in self.items}

    def blocker_ids(self) -> set[str]:
        return {blocker.id for blocker in self.blockers}


# ── loading and validation ───────────────────────────────────────────────────


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise MaterialsDataError(f"{path.name}: expected a mapping at the top level")
    return data


def _condition(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MaterialsDataError(f"{where}: a condition must be a mapping")
    condition: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if not isinstance(values, list) or not values:
            raise MaterialsDataError(f"{where}: {key} needs a non-empty list of values")
        condition[str(key)] = tuple(str(v) for v in values)
    return condition


def _require(entry: Mapping[str, Any], keys: Sequence[str], where: str) -> None:
    missing = [key for key in keys if entry.get(key) in (None, "")]
    if missing:
        raise MaterialsDataError(f"{where}: missing {', '.join(missing)}")


def _parse_items(
    data: Mapping[str, Any],
) -> tuple[dict[str, Item], dict[str, str], tuple[str, ...]]:
    form_labels = {str(k): str(v) for k, v in data["forms"].items()}
    groups = tuple(str(g) for g in data["groups"])
    items: dict[str, Item] = {}
    for raw in data["items"]:
        where = f"items.yml item {raw.get('id', '?')}"
        _require(
            raw,
            ("id", "name", "why", "tip", "group", "certainty", "sources", "last_verified"),
            where,
        )
        if raw["id"] in items:
            raise MaterialsDataError(f"{where}: duplicate id")
        if raw["group"] not in groups:
            raise MaterialsDataError(f"{where}: unknown group {raw['group']}")
        forms = tuple(raw.get("forms") or ())
        unknown_forms = [f for f in forms if f not in form_labels]
        if unknown_forms:
            raise MaterialsDataError(f"{where}: unknown forms {unknown_forms}")
        if raw["group"] != "注意事项" and not forms and not raw["id"].startswith("no_"):
            raise MaterialsDataError(f"{where}: a document needs at least one form")
        if raw["certainty"] not in ("official", "consistent", "uncertain"):
            raise MaterialsDataError(f"{where}: bad certainty {raw['certainty']}")
        sources = tuple(str(s) for s in raw["sources"])
        if not sources or not all(s.startswith(("http://", "https://")) for s in sources):
            raise MaterialsDataError(f"{where}: sources must be URLs")
        verified = raw["last_verified"]
        if not isinstance(verified, date):
            raise MaterialsDataError(f"{where}: last_verified must be a date")
        items[raw["id"]] = Item(
            id=raw["id"],
            name=str(raw["name"]).strip(),
            why=str(raw["why"]).strip(),
            forms=forms,
            tip=str(raw["tip"]).strip(),
            group=raw["group"],
            certainty=raw["certainty"],
            sources=sources,
            last_verified=verified,
        )
    return items, form_labels, groups


def _parse_questions(data: Mapping[str, Any]) -> tuple[Question, ...]:
    questions: list[Question] = []
    for raw in data["questions"]:
        where = f"questions.yml {raw.get('slot', '?')}"
        _require(raw, ("slot", "prompt", "why", "options"), where)
        options = tuple(
            Option(value=str(o["value"]), label=str(o["label"]), button=str(o["button"]))
            for o in raw["options"]
        )
        ask_when = tuple(_condition(c, where) for c in raw.get("ask_when") or ())
        questions.append(
            Question(
                slot=str(raw["slot"]),
                prompt=str(raw["prompt"]).strip(),
                why=str(raw["why"]).strip(),
                options=options,
                ask_when=ask_when,
            )
        )
    return tuple(questions)


def _check_condition(
    condition: Mapping[str, tuple[str, ...]], values: Mapping[str, set[str]], where: str
) -> None:
    for slot, allowed in condition.items():
        if slot not in values:
            raise MaterialsDataError(f"{where}: unknown slot {slot}")
        unknown = set(allowed) - values[slot]
        if unknown and slot not in FREE_VALUE_SLOTS:
            raise MaterialsDataError(f"{where}: {slot} has no option {sorted(unknown)}")


def validate(knowledge: MaterialsKnowledge) -> None:
    """Cross-file checks: rule items exist, conditions use real slot values, no orphans."""
    values = {q.slot: {o.value for o in q.options} for q in knowledge.questions}
    if set(values) != {f for f in MaterialsAnswers.__dataclass_fields__}:
        raise MaterialsDataError("questions.yml slots must match MaterialsAnswers fields")
    seen_slots: set[str] = set()
    for question in knowledge.questions:
        for condition in question.ask_when:
            _check_condition(condition, values, f"questions.yml {question.slot}")
            later = set(condition) - seen_slots
            if later:
                raise MaterialsDataError(f"{question.slot}: ask_when uses later slots {later}")
        seen_slots.add(question.slot)
    used: set[str] = set()
    for index, rule in enumerate(knowledge.rules):
        _check_condition(rule.when, values, f"rules.yml rule {index}")
        missing = [item for item in rule.items if item not in knowledge.items]
        if missing:
            raise MaterialsDataError(f"rules.yml rule {index}: unknown items {missing}")
        used.update(rule.items)
    orphans = set(knowledge.items) - used
    if orphans:
        raise MaterialsDataError(f"items never used by a rule: {sorted(orphans)}")
    for blocker in knowledge.blockers:
        _check_condition(blocker.when, values, f"rules.yml blocker {blocker.id}")


def load_materials(directory: Path = MATERIALS_DIR) -> MaterialsKnowledge:
    """Read and validate knowledge/materials; raises MaterialsDataError on any inconsistency."""
    items, form_labels, groups = _parse_items(_read_yaml(directory / "items.yml"))
    questions = _parse_questions(_read_yaml(directory / "questions.yml"))
    rules_data = _read_yaml(directory / "rules.yml")
    rules = tuple(
        Rule(when=_condition(r.get("when"), "rules.yml"), items=tuple(r["items"]))
        for r in rules_data["rules"]
    )
    blockers = tuple(
        BlockerSpec(
            id=b["id"],
            when=_condition(b["when"], f"blocker {b['id']}"),
            title=str(b["title"]).strip(),
            text=str(b["text"]).strip(),
            sources=tuple(b.get("sources") or ()),
            kind=str(b.get("kind") or ""),
        )
        for b in rules_data["blockers"]
    )
    knowledge = MaterialsKnowledge(
        items=items,
        questions=questions,
        rules=rules,
        blockers=blockers,
        form_labels=form_labels,
        groups=groups,
    )
    validate(knowledge)
    return knowledge


@lru_cache(maxsize=1)
def default_materials() -> MaterialsKnowledge:
    return load_materials()


# ── evaluation ───────────────────────────────────────────────────────────────


def condition_holds(condition: Mapping[str, tuple[str, ...]], answers: Mapping[str, str]) -> bool:
    return all(answers.get(slot) in allowed for slot, allowed in condition.items())


def slots_to_ask(
    answers: Mapping[str, str], knowledge: MaterialsKnowledge | None = None
) -> list[str]:
    """The questions that matter for these answers so far, in asking order.

    This is the form's ``required_slots``: a 签注 at an unchanged address never reaches housing.
    """
    knowledge = knowledge or default_materials()
    needed: list[str] = []
    for question in knowledge.questions:
        if not question.ask_when or any(condition_holds(c, answers) for c in question.ask_when):
            needed.append(question.slot)
    return needed


def next_slot_to_ask(
    answers: Mapping[str, str], knowledge: MaterialsKnowledge | None = None
) -> str | None:
    for slot in slots_to_ask(answers, knowledge):
        if answers.get(slot) in (None, ""):
            return slot
    return None


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later; the last day of the month when that day does not exist."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _blocker(spec: BlockerSpec, answers: MaterialsAnswers, today: date) -> Blocker | None:
    if spec.kind == "registration_wait":
        if answers.registered_on is None:
            text = (
                spec.text
                + "\n从登记那天起满6个月就可以申领；告诉我登记日期，我可以帮你算并提醒你。"
            )
            return Blocker(spec.id, spec.title, text, spec.sources, offer_reminder=True)
        eligible = add_months(answers.registered_on, ELIGIBILITY_MONTHS)
        if eligible <= today:
            return None
        text = (
            f"{spec.text}\n按你说的登记日期 {answers.registered_on:%Y-%m-%d}，"
            f"最早 {eligible:%Y年%-m月%-d日} 可以申领。要我到时候提醒你吗？"
        )
        return Blocker(
            spec.id, spec.title, text, spec.sources, eligible_on=eligible, offer_reminder=True
        )
    if spec.kind == "registration_missing":
        return Blocker(spec.id, spec.title, spec.text, spec.sources, offer_reminder=True)
    return Blocker(spec.id, spec.title, spec.text, spec.sources)


def summarise_answers(
    answers: MaterialsAnswers, knowledge: MaterialsKnowledge | None = None
) -> tuple[tuple[str, str], ...]:
    """(question topic, answer label) pairs for the slots that were asked, in asking order."""
    knowledge = knowledge or default_materials()
    topics = {
        "application": "业务",
        "applicant": "办理人",
        "registration": "居住登记",
        "registered_on": "登记日期",
        "address_changed": "住址",
        "housing": "住房",
        "activity": "在沪情况",
    }
    values = answers.as_conditions()
    lines: list[tuple[str, str]] = []
    for slot in slots_to_ask(values, knowledge):
        value = values.get(slot)
        if value is None:
            if slot == "registered_on":
                lines.append((topics[slot], "记不清"))
            continue
        label = value if slot in FREE_VALUE_SLOTS else knowledge.question(slot).label_for(value)
        lines.append((topics.get(slot, slot), label))
    return tuple(lines)


def build_checklist(
    answers: MaterialsAnswers,
    knowledge: MaterialsKnowledge | None = None,
    today: date | None = None,
) -> Checklist:
    """The person's own checklist: matching items grouped, plus the blockers that apply."""
    knowledge = knowledge or default_materials()
    today = today or date.today()
    values = answers.as_conditions()
    chosen: list[str] = []
    for rule in knowledge.rules:
        if condition_holds(rule.when, values):
            chosen.extend(item for item in rule.items if item not in chosen)
    groups = tuple(
        ChecklistGroup(
            title=group,
            items=tuple(knowledge.items[i] for i in chosen if knowledge.items[i].group == group),
        )
        for group in knowledge.groups
    )
    blockers = []
    for spec in knowledge.blockers:
        if condition_holds(spec.when, values):
            blocker = _blocker(spec, answers, today)
            if blocker is not None:
                blockers.append(blocker)
    return Checklist(
        answers=answers,
        summary=summarise_answers(answers, knowledge),
        groups=tuple(g for g in groups if g.items),
        blockers=tuple(blockers),
    )


def relevant_answers(
    answers: Mapping[str, str], knowledge: MaterialsKnowledge | None = None
) -> dict[str, str]:
    """Only the answers to questions that apply — a corrected 业务 can leave stale ones behind."""
    kept: dict[str, str] = {}
    for slot in slots_to_ask(answers, knowledge):
        value = answers.get(slot)
        if value not in (None, ""):
            kept[slot] = str(value)
    # slots_to_ask looks at all answers; settle on the answers it keeps.
    return {slot: kept[slot] for slot in slots_to_ask(kept, knowledge) if slot in kept}
