"""Every answer path yields a checklist consistent with the official lists, traps included."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.materials.render_text import TELEGRAM_LIMIT, render_checklist_text
from bot.materials.rules import (
    Checklist,
    MaterialsAnswers,
    MaterialsDataError,
    add_months,
    build_checklist,
    default_materials,
    load_materials,
    slots_to_ask,
)

TODAY = date(2026, 11, 27)
REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"

HOUSING_PROOF = {
    "rent_filed": {"rental_filing_notice"},
    "rent_unfiled": {"rental_filing_notice", "rental_contract"},
    "own": {"property_certificate"},
    "dorm": {"dorm_certificate"},
    "relative_own": {"relative_property_certificate", "kinship_proof"},
    "relative_rent": {"relative_rental_filing_notice", "kinship_proof"},
    "other": {"residence_proof_any"},
}
ACTIVITY_PROOF = {
    "work": {"labour_contract", "social_insurance_record"},
    "study": {"study_certificate"},
    "business": {"business_licence", "tax_or_insurance_record"},
    "other": {"no_activity_proof_needed"},
}
APPLICATION_BASICS = {
    "first": {"application_form", "photo", "registration_receipt"},
    "endorse": {"endorsement_form", "current_permit"},
    "change": {"current_permit", "change_proof"},
    "replace": {"damaged_permit", "note_replacement_fee"},
}


def reachable_answers() -> Iterator[dict[str, str]]:
    """Walk the questions like the dialog does: only questions whose ask_when holds."""
    knowledge = default_materials()
    partial: list[dict[str, str]] = [{}]
    for question in knowledge.questions:
        grown: list[dict[str, str]] = []
        for answers in partial:
            if question.slot not in slots_to_ask(answers, knowledge):
                grown.append(answers)
                continue
            values = [o.value for o in question.options]
            if question.slot == "registered_on":
                values = ["2026-09-03", "2026-03-01", "unknown"]
            grown.extend({**answers, question.slot: value} for value in values)
        partial = grown
    yield from partial


ALL_PATHS = list(reachable_answers())


def checklist_for(answers: dict[str, str]) -> Checklist:
    return build_checklist(MaterialsAnswers.from_json(answers), today=TODAY)


def test_knowledge_loads_and_validates() -> None:
    knowledge = load_materials()
    assert len(knowledge.items) >= 30
    assert [q.slot for q in knowledge.questions][:2] == ["application", "applicant"]
    for item in knowledge.items.values():
        assert item.group in knowledge.groups
        assert item.sources and item.last_verified <= TODAY
        assert len(item.tip) <= 60, item.id


def test_validation_rejects_a_rule_naming_an_unknown_item(tmp_path: Path) -> None:
    broken = tmp_path / "materials"
    shutil.copytree(PROJECT_ROOT / "knowledge" / "materials", broken)
    rules = broken / "rules.yml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            "items: [dorm_certificate]", "items: [dorm_paper]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(MaterialsDataError, match="dorm_paper"):
        load_materials(broken)


def test_the_dialog_has_every_application_housing_activity_path() -> None:
    combos = {(a["application"], a.get("housing"), a.get("activity")) for a in ALL_PATHS}
    for housing, activity in itertools.product(HOUSING_PROOF, ACTIVITY_PROOF):
        assert ("first", housing, activity) in combos
        assert ("endorse", housing, activity) in combos
    assert ("endorse", None, "work") in combos  # unchanged address: no housing question
    assert ("replace", None, None) in combos
    assert len(ALL_PATHS) > 500


@pytest.mark.parametrize("answers", ALL_PATHS, ids=lambda a: "-".join(a.values()))
def test_every_path_gives_a_checklist_consistent_with_the_official_lists(
    answers: dict[str, str],
) -> None:
    checklist = checklist_for(answers)
    ids = checklist.item_ids()
    titles = [g.title for g in checklist.groups]
    assert titles[0] == "基础材料" and titles[-1] == "注意事项"
    assert APPLICATION_BASICS[answers["application"]] <= ids
    assert "note_official_list" in ids

    if answers["applicant"] == "minor":
        assert {"guardian_id", "guardianship_proof", "minor_identity"} <= ids
        assert "id_card" not in ids
    else:
        assert "id_card" in ids
    if answers["applicant"] == "proxy":
        assert {"proxy_id", "proxy_authorisation", "note_proxy_age"} <= ids

    housing = answers.get("housing")
    if housing is None:
        assert "住所证明" not in titles
    else:
        assert HOUSING_PROOF[housing] <= ids
        other_proofs = set().union(*(v for k, v in HOUSING_PROOF.items() if k != housing))
        assert not (other_proofs - HOUSING_PROOF[housing] - {"kinship_proof"}) & ids
    assert ("rental_not_filed" in checklist.blocker_ids()) == (housing == "rent_unfiled")

    activity = answers.get("activity")
    if activity is None:
        assert "就业·就读·创业证明" not in titles
    else:
        assert ACTIVITY_PROOF[activity] <= ids

    if answers["application"] == "endorse":
        assert {"note_endorsement_window", "note_endorsement_check"} <= ids
        assert ("note_auto_endorsement" in ids) == (answers["address_changed"] == "no")

    text = render_checklist_text(checklist)
    assert len(text) <= TELEGRAM_LIMIT
    for blocker in checklist.blockers:
        assert blocker.title in text


def test_every_combination_of_values_builds_a_non_empty_checklist() -> None:
    knowledge = default_materials()
    options = {q.slot: [o.value for o in q.options] + [None] for q in knowledge.questions}
    options["registered_on"] = [None, "2026-10-01"]
    slots = list(options)
    count = 0
    for values in itertools.product(*(options[s] for s in slots)):
        raw = {s: v for s, v in zip(slots, values, strict=True) if v is not None}
        if "application" not in raw:
            continue
        checklist = checklist_for(raw)
        assert checklist.items and checklist.groups[0].title == "基础材料"
        count += 1
    assert count > 5000


def test_unfiled_rental_blocker_explains_who_starts_the_online_filing() -> None:
    checklist = checklist_for(
        {
            "application": "first",
            "applicant": "self",
            "registration": "over_6m",
            "housing": "rent_unfiled",
            "activity": "work",
        }
    )
    (blocker,) = checklist.blockers
    assert blocker.id == "rental_not_filed"
    for fact in ("房东", "网签备案", "随申办", "短信", "第二天", "中介", "社区事务受理服务中心"):
        assert fact in blocker.text


def test_relatives_home_needs_kinship_proof_or_a_promise_letter() -> None:
    for housing in ("relative_own", "relative_rent"):
        checklist = checklist_for({"application": "first", "housing": housing, "activity": "other"})
        kinship = next(i for i in checklist.items if i.id == "kinship_proof")
        assert "承诺书" in kinship.name + kinship.tip


def test_recent_registration_gives_the_eligible_date_and_offers_a_reminder() -> None:
    checklist = checklist_for(
        {
            "application": "first",
            "registration": "under_6m",
            "registered_on": "2026-08-31",
            "housing": "own",
            "activity": "study",
        }
    )
    (blocker,) = checklist.blockers
    assert blocker.id == "registration_wait"
    assert blocker.eligible_on == date(2027, 2, 28)
    assert blocker.offer_reminder
    assert "2027年2月28日" in blocker.text


def test_registration_already_six_months_old_is_no_blocker() -> None:
    checklist = checklist_for(
        {
            "application": "first",
            "registration": "under_6m",
            "registered_on": "2026-03-01",
            "housing": "own",
            "activity": "study",
        }
    )
    assert checklist.blockers == ()


def test_no_registration_yet_is_a_blocker_with_a_reminder_offer() -> None:
    checklist = checklist_for({"application": "first", "registration": "none", "housing": "dorm"})
    assert checklist.blocker_ids() == {"registration_missing"}
    assert checklist.blockers[0].offer_reminder


def test_endorsement_at_an_unchanged_address_skips_housing() -> None:
    asked = slots_to_ask({"application": "endorse", "applicant": "self", "address_changed": "no"})
    assert asked == ["application", "applicant", "address_changed", "activity"]
    moved = slots_to_ask({"application": "endorse", "address_changed": "yes"})
    assert "housing" in moved
    assert slots_to_ask({"application": "replace"}) == ["application", "applicant"]
    assert slots_to_ask({"application": "first", "registration": "under_6m"}) == [
        "application",
        "applicant",
        "registration",
        "registered_on",
        "housing",
        "activity",
    ]


def test_add_months_clamps_to_the_end_of_short_months() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 27), 6) == date(2027, 5, 27)


def test_summary_restates_only_the_questions_that_were_asked() -> None:
    checklist = checklist_for(
        {"application": "endorse", "applicant": "self", "address_changed": "no", "activity": "work"}
    )
    assert checklist.summary == (
        ("业务", "签注（续签）"),
        ("办理人", "本人办理"),
        ("住址", "地址没变"),
        ("在沪情况", "就业"),
    )


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="../shared/reference is not available")
def test_documents_named_on_checklists_appear_in_the_reference_material() -> None:
    reference = "".join(p.read_text(encoding="utf-8") for p in REFERENCE_DIR.iterdir())
    key_terms = {
        "rental_filing_notice": "备案通知书",
        "property_certificate": "不动产权证",
        "dorm_certificate": "集体宿舍证明",
        "kinship_proof": "亲属关系承诺书",
        "labour_contract": "劳动合同",
        "study_certificate": "在读证明",
        "business_licence": "营业执照",
        "social_insurance_record": "社保缴费记录",
        "endorsement_form": "签注申请表",
        "application_form": "居住证申请表",
        "registration_receipt": "居住登记凭证",
        "guardianship_proof": "出生医学证明",
        "proxy_authorisation": "委托书",
    }
    items = default_materials().items
    for item_id, term in key_terms.items():
        assert term in reference, term
        assert term in items[item_id].name + items[item_id].why + items[item_id].tip, item_id
