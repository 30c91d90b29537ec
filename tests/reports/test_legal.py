"""The legal map is data: every finding type has rules, notes in both languages, caveats."""

from __future__ import annotations

from reports.findings import ENDPOINT_RULES, TECHNIQUE_RULES
from reports.legal import finding_types, legal_map, notice, rules_for


def test_every_decided_finding_type_is_in_the_legal_map():
    assert set(ENDPOINT_RULES) | set(TECHNIQUE_RULES) <= set(finding_types())
    assert "solicited_commerce" not in finding_types()
    assert "solicited_commerce" in legal_map()["findings"]


def test_every_rule_has_english_and_french_text_and_known_scope_notes():
    data = legal_map()
    notes = set(data["scope_notes"])
    for ftype, entry in data["findings"].items():
        assert set(entry["paraphrase"]) == {"en", "fr"}, ftype
        assert entry["eu"] and entry["us"], ftype
        assert set(entry.get("scope", [])) <= notes, ftype
        for rule in entry["eu"] + entry["us"]:
            assert set(rule["note"]) == {"en", "fr"}, (ftype, rule["ref"])
            assert set(rule.get("scope", [])) <= notes, (ftype, rule["ref"])


def test_items_to_confirm_are_flagged_as_in_the_source():
    child = rules_for("push_to_child", "fr")
    flagged = [r["ref"] for r in child["eu"] if r["to_confirm"]]
    assert flagged == ["GDPR Art 8"]
    decline = rules_for("push_after_decline")
    assert [r["ref"] for r in decline["us"] if r["to_confirm"]] == ["FTC dark-patterns report"]
    assert any("platforms" in c for c in rules_for("undisclosed_push")["caveats"])


def test_the_notice_says_not_legal_advice():
    assert "not legal advice" in notice("en")
    assert "avis juridique" in notice("fr")
