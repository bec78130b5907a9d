"""Cutting rules on page shapes other than the five samples (clean output written by hand)."""
from __future__ import annotations

from casebook.cut import cut_page, summary_of, title_from_lead


def page(*items: tuple[str, str], dropped: list | None = None, title: str | None = None) -> dict:
    blocks = [{"kind": kind, "text": text, "lines": [n, n]} for n, (kind, text) in enumerate(items, 1)]
    return {"title": title, "blocks": blocks, "dropped": dropped or []}


LONG = "该县坚持把党组织建设作为重点，" * 12 + "取得明显成效。"


def test_numbered_headings_are_sections_of_one_practice():
    clean = page(("title", "某县推进农村党建"), ("paragraph", LONG),
                 ("heading", "一、强化组织"), ("paragraph", LONG), ("paragraph", LONG),
                 ("heading", "二、强化队伍"), ("paragraph", LONG), ("paragraph", LONG),
                 ("heading", "三、强化保障"), ("paragraph", LONG), ("paragraph", LONG))
    drafts = cut_page(clean)
    assert len(drafts) == 1
    assert drafts[0].title == "某县推进农村党建" and drafts[0].title_from == "article"


def test_substantial_unnumbered_sections_are_separate_practices():
    clean = page(("title", "某市三项做法"), ("paragraph", "导语。"),
                 ("heading", "做法甲 成效显著"), ("paragraph", LONG), ("paragraph", LONG),
                 ("heading", "做法乙 成效显著"), ("paragraph", LONG), ("paragraph", LONG),
                 ("heading", "做法丙 成效显著"), ("paragraph", LONG), ("paragraph", LONG))
    drafts = cut_page(clean)
    assert [d.title for d in drafts] == ["做法甲 成效显著", "做法乙 成效显著", "做法丙 成效显著"]
    assert drafts[0].lead and not drafts[1].lead  # the article's lead goes with the first case
    assert all(d.article_title == "某市三项做法" for d in drafts)


def test_thin_sections_under_a_plan_stay_one_case():
    clean = page(("title", "某市实施方案"), ("paragraph", LONG),
                 ("heading", "农村"), ("paragraph", "措施一；措施二。"),
                 ("heading", "社区"), ("paragraph", "措施三；措施四。"),
                 ("heading", "机关"), ("paragraph", "措施五；措施六。"))
    assert len(cut_page(clean)) == 1


def test_several_articles_with_author_lines():
    clean = page(("title", "第一篇"), ("paragraph", LONG), ("title", "第二篇"), ("paragraph", LONG),
                 dropped=[{"lines": [4, 4], "reason": "meta:author", "text": "中共某区委组织部"}])
    # blocks are numbered 1..4; put the author line between the second title and its body
    clean["blocks"][3]["lines"] = [5, 5]
    drafts = cut_page(clean)
    assert [d.title for d in drafts] == ["第一篇", "第二篇"]
    assert drafts[1].author == "中共某区委组织部" and drafts[0].author is None


def test_practice_markers_cut_and_titles_come_from_the_lead():
    clean = page(("title", "某区八大品牌"), ("paragraph", "导语。"),
                 ("paragraph", "做法一：深入实施“红色头雁”工程。具体内容。"),
                 ("paragraph", "做法二：全面推行“网格党建”模式。具体内容。"))
    drafts = cut_page(clean)
    assert [d.title for d in drafts] == ["红色头雁工程", "网格党建模式"]
    assert summary_of(drafts[0].blocks).startswith("深入实施“红色头雁”工程。")


def test_title_from_lead_skips_scene_setting():
    lead = "近年来，某县以“三会一课”为抓手，有效提升了组织生活质量。"
    assert title_from_lead(lead) == "某县以三会一课为抓手"
    assert len(title_from_lead("某" * 80)) <= 30


def test_summary_is_verbatim_and_bounded():
    blocks = [{"kind": "paragraph", "text": LONG * 3, "lines": [1, 1]}]
    summary = summary_of(blocks)
    assert len(summary) <= 122 and summary.endswith("……")
    assert summary.rstrip("…") in LONG * 3


def test_numbered_practice_headings_cut_and_name_the_cases():
    clean = page(("title", "某县四条经验"), ("paragraph", "导语。"),
                 ("heading", "经验一：推行“红色物业”"), ("paragraph", LONG),
                 ("heading", "经验二：建强村级阵地"), ("paragraph", LONG), ("paragraph", LONG))
    drafts = cut_page(clean)
    assert [d.title for d in drafts] == ["推行“红色物业”", "建强村级阵地"]
    assert [len(d.blocks) for d in drafts] == [1, 2]


def test_a_collections_editor_note_is_no_case_of_its_own():
    clean = page(("title", "县区动态"), ("paragraph", "编者按：本期刊发三个县的做法。"),
                 ("title", "第一篇"), ("paragraph", LONG), ("title", "第二篇"), ("paragraph", LONG))
    drafts = cut_page(clean)
    assert [d.title for d in drafts] == ["第一篇", "第二篇"]
    assert drafts[0].lead[0]["text"].startswith("编者按")
