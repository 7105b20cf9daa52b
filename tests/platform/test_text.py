from bot.text import contains_personal_number, mask_personal_numbers, normalize_text


def test_normalize_turns_traditional_and_fullwidth_into_simplified_halfwidth() -> None:
    assert normalize_text("上海居住證過期了要怎麼續辦？？") == "上海居住证过期了要怎么续办?"
    assert normalize_text("ＡＢＣ　１２３") == "ABC 123"


def test_normalize_removes_control_characters_and_collapses_space() -> None:
    assert normalize_text("\x00居住证\x1b  \u200b续签\n\n") == "居住证 续签"


def test_normalize_caps_length() -> None:
    assert len(normalize_text("啊" * 5000, max_chars=1000)) == 1000


def test_mask_hides_id_and_phone_numbers() -> None:
    text = "我的身份证 31010519900307123X 手机 13812345678，旧证 310105900307123"
    masked = mask_personal_numbers(text)
    assert "31010519900307123X" not in masked
    assert "13812345678" not in masked
    assert "310105900307123" not in masked
    assert "310***********X" in masked and "138****5678" in masked
    assert not contains_personal_number(masked)


def test_mask_keeps_dates_and_short_numbers() -> None:
    text = "2027年3月5日到期，办理时限15个工作日，拨打12345"
    assert mask_personal_numbers(text) == text
