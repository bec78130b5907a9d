"""Tags from the curated vocabulary (data/tags.yaml), the candidates list for editors, and the
tag measures of issue 18 on the sample cases (cases/, converted from raw/)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebook import cli, tagging, tagreview

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "scripts" / "casebook" / "data"


def test_every_user_dictionary_term_is_a_tag_or_declared_not_one():
    vocab = tagging.load_tag_vocabulary()
    words = [line.split()[0] for line in (DATA / "userdict.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    missing = [w for w in words if w.lower() not in vocab.surface and w not in vocab.not_tags]
    assert missing == []


def test_a_written_form_belongs_to_one_tag(tmp_path):
    bad = tmp_path / "tags.yaml"
    bad.write_text(yaml.safe_dump({"groups": [{"name": "甲", "terms": {"后备干部": ["后备队伍"]}},
                                              {"name": "乙", "terms": {"人才工作": ["后备队伍"]}}]},
                                  allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="后备队伍"):
        tagging.load_tag_vocabulary(bad)


def test_synonyms_give_the_tag_and_the_title_counts_more():
    text = "建立“书记预备队”，把致富能人纳入后备队伍。村“两委”换届时，从中择优推荐。"
    tags = tagging.vocabulary_tags("致富能手进村两委", text)
    assert tags[:2] == ["致富能手", "村两委"]                # named in the title
    assert "后备干部" in tags and "书记预备队" not in tags    # a synonym gives the tag
    assert len(tags) == len(set(tags))


def test_at_most_max_tags():
    vocab = tagging.load_tag_vocabulary()
    text = "；".join(vocab.tags)      # every tag mentioned once
    assert len(tagging.vocabulary_tags("", text)) == int(vocab.settings["max_tags"]) == 8


def test_candidates_are_recurring_nouns_outside_the_vocabulary():
    cases = [("a", "", "推行党员联户台账，建立积分超市。落实三会一课，建立镀锌水管台账。"),
             ("b", "", "各村建立民情台账和积分超市，落实三会一课。"),
             ("c", "", "完善台账，高质量推进工作，高质量完成任务。")]
    found = {c["term"]: c["cases"] for c in tagging.tag_candidates(cases, min_cases=2)}
    assert set(found.get("台账", [])) == {"a", "b", "c"}    # recurs: proposed
    assert "三会一课" not in found                           # already a tag
    assert "镀锌" not in found and "水管" not in found       # one case only
    assert "高质量" not in found                             # generic
    # the cases cut from one page count once
    same_page = {"a": "p1", "b": "p1", "c": "p1"}
    assert tagging.tag_candidates(cases, min_cases=2, page_of=same_page.get) == []


def test_tags_verb_prints_measures_and_candidates_in_chinese(capsys):
    assert cli.main(["tags", "--candidates", "--docs", str(ROOT / "cases")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("案例 ") and "只有 1 个案例使用的标签" in out and "词表外" in out


def test_tags_verb_names_a_missing_folder(capsys, tmp_path):
    assert cli.main(["tags", "--docs", str(tmp_path / "nope")]) == 2
    assert "找不到案例文件夹" in capsys.readouterr().err


def test_sample_cases_meet_the_tag_measures():
    cases, problems = tagreview.read_cases(ROOT / "cases")
    assert not problems and len(cases) > 20
    vocab = tagging.load_tag_vocabulary()
    m = tagging.tag_measures([c[3] for c in cases])
    assert m["max_per_case"] <= 8 and m["untagged"] == 0
    assert m["single_outside_share"] <= 0.15
    stop = tagging._stopwords() | vocab.generic
    for _, _, _, tags, _ in cases:
        assert len(tags) == len(set(tags))
        assert all(t in vocab.tags and t not in stop for t in tags), tags

