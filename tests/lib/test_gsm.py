"""``lib.gsm`` (3GPP TS 23.038 / 23.040) and the browser counter agree on every shared case.

``gsm_cases.json`` is the shared case file: each case gives a text, the parts allowed, whether
to transliterate, and the expected encoding, units, parts, capacity, remaining room and part
sizes (in characters). The Python functions and ``offers/sms/static/sms/gsm0338.js`` (run with
``node``) must both give exactly these values.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from esup_saas.lib import gsm

CASES_FILE = Path(__file__).with_name("gsm_cases.json")
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
JS_FILE = Path(__file__).resolve().parents[2] / "src/esup_saas/offers/sms/static/sms/gsm0338.js"


def _python_result(case: dict) -> dict:
    text = gsm.transliterate(case["text"]) if case["transliterate"] else case["text"]
    return {
        **gsm.analyse(text, max_parts=case["max_parts"]).as_dict(),
        "split": [len(p) for p in gsm.split(text)],
        "text": text,
    }


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_python_matches_the_shared_cases(case):
    assert _python_result(case) == case["expect"]


def test_javascript_counter_matches_the_shared_cases():
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        message = "node is missing: apt-get install nodejs (the browser counter is untested)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    script = """
const g = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8")).cases;
const out = cases.map(c => {
  const text = c.transliterate ? g.transliterate(c.text) : c.text;
  const a = g.analyse(text, c.max_parts);
  a.split = g.split(text).map(p => Array.from(p).length);
  a.text = text;
  return a;
});
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(
        [node, "-e", script, str(JS_FILE), str(CASES_FILE)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    results = json.loads(done.stdout)
    assert len(results) == len(CASES)
    mismatches = [
        (case["label"], result, case["expect"])
        for case, result in zip(CASES, results, strict=True)
        if result != case["expect"]
    ]
    assert mismatches == []


def test_the_javascript_tables_are_the_python_tables():
    source = JS_FILE.read_text(encoding="utf-8")
    basic = gsm.GSM7_BASIC.replace("\x1b", " ")
    assert json.dumps(basic) in source
    assert json.dumps("".join(gsm.GSM7_EXTENSION)) in source
    assert json.dumps(gsm.TRANSLITERATION, ensure_ascii=True, sort_keys=True) in source


# --- the rules, with the right values written out ---------------------------------------------


def test_single_sms_limits():
    assert gsm.analyse("a" * 160).parts == 1
    assert gsm.analyse("a" * 161).parts == 2
    assert gsm.analyse("ê" * 70) == gsm.SmsAnalysis("UCS-2", 70, 1, 70, 0)
    assert gsm.analyse("ê" * 71).parts == 2


def test_extension_characters_cost_two_septets():
    assert gsm.analyse("€" * 80).units == 160
    assert gsm.analyse("[]{}").units == 8
    assert gsm.analyse("x^").remaining == 157


def test_the_seed_characters_of_the_basic_table_stay_gsm7_and_the_others_do_not():
    assert gsm.is_gsm7("é è à ù ì ò É Ç Ä Ö Ñ Ü ä ö ñ ü")
    for ch in "çêâîïôûœ«»’–…":
        assert not gsm.is_gsm7(ch), ch
    assert gsm.non_gsm7_characters("Très bien, ça marche… à bientôt") == ["ç", "…", "ô"]


def test_concatenated_parts_are_153_septets_or_67_units():
    assert [len(p) for p in gsm.split("b" * 459)] == [153, 153, 153]
    assert [len(p) for p in gsm.split("ê" * 140)] == [67, 67, 6]


def test_a_part_never_ends_with_a_lone_escape_or_half_a_surrogate_pair():
    parts = gsm.split("a" * 152 + "€" + "b" * 10)
    assert parts == ["a" * 152, "€" + "b" * 10]
    parts = gsm.split("ê" * 66 + "😀" + "x" * 10)
    assert parts[0] == "ê" * 66 and parts[1].startswith("😀")
    assert sum(len(p.encode("utf-16-be")) // 2 for p in parts) == 78


def test_emoji_counts_two_code_units():
    assert gsm.analyse("😀").units == 2
    assert gsm.analyse("😀" * 35).parts == 1
    assert gsm.analyse("😀" * 36).parts == 2


def test_check_length_refuses_more_parts_than_allowed():
    with pytest.raises(gsm.MessageTooLong) as caught:
        gsm.check_length("a" * 161, max_parts=1)
    assert caught.value.analysis.parts == 2
    assert gsm.check_length("a" * 161, max_parts=2).parts == 2
    with pytest.raises(ValueError, match="empty"):
        gsm.check_length("")
    with pytest.raises(ValueError, match="max_parts"):
        gsm.analyse("a", max_parts=0)


def test_transliteration_maps_french_typography_to_gsm7():
    assert gsm.transliterate("« Ça, l’œuvre – très bien… »") == '" Ça, l\'oeuvre - très bien... "'
    assert gsm.transliterate("fête") == "fete"
    assert gsm.transliterate("garçon") == "garcon"
    # GSM-7 text is never changed.
    assert gsm.transliterate(gsm.GSM7_BASIC.replace("\x1b", "")) == gsm.GSM7_BASIC.replace(
        "\x1b", ""
    )


def test_encode_and_decode_gsm7_with_udh():
    text = "Réunion [salle 4] à 10€ " + "x" * 150
    parts = gsm.encode(text, reference=42)
    assert len(parts) == 2 and all(p.udh and p.data_coding == 0 for p in parts)
    assert parts[0].payload[:6] == bytes([5, 0, 3, 42, 2, 1])
    assert len(parts[0].payload) - 6 <= 153
    decoded = [gsm.decode(p.payload, data_coding=0, udh=True) for p in parts]
    assert "".join(t for t, _ in decoded) == text
    assert [info for _, info in decoded] == [(42, 2, 1), (42, 2, 2)]
    assert gsm.encode_gsm7("€") == b"\x1b\x65"
    assert gsm.encode_gsm7("@") == b"\x00"


def test_encode_ucs2_single_part_has_no_udh():
    (part,) = gsm.encode("Très bien, ça marche")
    assert (part.data_coding, part.udh) == (8, False)
    assert gsm.decode(part.payload, data_coding=8, udh=False) == ("Très bien, ça marche", (0, 1, 1))


def test_encode_gsm7_names_the_bad_character():
    with pytest.raises(ValueError, match=r"'ç' \(U\+00E7\)"):
        gsm.encode_gsm7("garçon")
