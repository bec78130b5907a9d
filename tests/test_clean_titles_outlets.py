"""Two cleaner rules: a title that runs two headlines together is split (joined by a space in
`title`), and a page that names no outlet takes it from its dropped footer (site name, then owner)."""
from __future__ import annotations

from pathlib import Path

import pytest

from casebook.clean import clean_file, clean_text

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"

BODY = ["近年来，青山镇坚持党建引领基层治理，把党支部建在网格上，全镇划分综合网格64个。",
        "青山镇还选派186名党员担任网格员，每名网格员联系群众30户左右。",
        "网格员发现的问题通过平台上报，镇村两级限时处置，形成闭环。"]
RUN_TOGETHER = "全面推进村级组织标准化建设规范化运行青山打造红色网格治理新样板"


def page(title: str, body: list[str], footer: list[str] = (), dateline: str = "时间：2023-05-06") -> str:
    return "\n\n".join([title, dateline, *body, *footer]) + "\n"


def test_seed_004_title_is_two_headlines():
    res = clean_file(RAW / "004_3e2a05e08a074a72.txt")
    # kicker (引题) and main headline (主题), split where the article's subject 斗门 begins
    assert res["title"] == "基层党组织建设三年行动计划串起基层治理千条线 斗门党建引领打造乡村振兴示范区"
    split = [r for r in res["repairs"] if r["kind"] == "title-split"]
    assert split == [{"kind": "title-split", "lines": [3, 3],
                      "before": "基层党组织建设三年行动计划串起基层治理千条线斗门党建引领打造乡村振兴示范区",
                      "after": res["title"]}]


def test_split_at_a_place_that_opens_body_sentences():
    res = clean_text(page(RUN_TOGETHER, ["青山镇" + BODY[0][7:], *BODY[1:]]))
    assert res["title"] == "全面推进村级组织标准化建设规范化运行 青山打造红色网格治理新样板"
    again = clean_text(page(res["title"], ["青山镇" + BODY[0][7:], *BODY[1:]]))
    assert again["title"] == res["title"] and not [r for r in again["repairs"] if r["kind"] == "title-split"]


@pytest.mark.parametrize("title, body", [
    (RUN_TOGETHER, ["近年来，全镇坚持党建引领基层治理。", "今年以来，网格员走访群众1.2万户次。"]),  # no sentence opens with 青山
    (RUN_TOGETHER, ["青山绿水间，党员干部走村入户。", "青山绿水是最好的底色。"]),                   # 青山 is not written as a place
    ("村级组织标准化建设 青山打造红色网格治理新样板", [BODY[0], BODY[1]]),                          # already spaced
    ("青山打造红色网格治理新样板", [BODY[0], BODY[1]]),                                            # short: one headline
])
def test_no_split_without_evidence(title, body):
    res = clean_text(page(title, body))
    assert res["title"] == title
    assert not [r for r in res["repairs"] if r["kind"] == "title-split"]


@pytest.mark.parametrize("name, outlet", [
    ("000_2f277b85c8c35e1a.txt", "茂名市人民政府办公室"),  # 主辦:茂名市人民政府辦公室 (Traditional footer)
    ("001_846aa8a43b3d4e7d.txt", "伊春新闻网"),            # 伊春新闻网 违法和不良信息 举报电话… (before 版权所有: 黑龙江东北网络台 …)
    ("002_ce403bb1dc459ece.txt", "惠州日报"),              # the byline names it: the page wins over its footer
    ("003_a3afd088e8670e18.txt", "南方日报"),              # 来源:南方日报
    ("004_3e2a05e08a074a72.txt", None),                    # a repost site whose footer names nothing
])
def test_seed_outlets(name, outlet):
    assert clean_file(RAW / name)["meta"]["outlet"] == outlet


def test_footer_outlet_rules():
    footer_welcome = ["欢迎访问临川区人民政府门户网站", "网站标识码：3610020001"]
    assert clean_text(page("青山镇打造红色网格", BODY, footer_welcome))["meta"]["outlet"] == "临川区人民政府门户网站"
    footer_owner = ["主办：青山镇人民政府办公室  承办：青山镇信息中心", "赣ICP备05004172号"]
    assert clean_text(page("青山镇打造红色网格", BODY, footer_owner))["meta"]["outlet"] == "青山镇人民政府办公室"
    # the page's own 来源 wins over the footer
    own = clean_text(page("青山镇打造红色网格", BODY, footer_owner, "时间：2023-05-06 来源：抚州日报"))
    assert own["meta"]["outlet"] == "抚州日报"
    # a footer that names no site gives no outlet
    anonymous = ["本站违法和不良信息举报电话：12377", "Copyright © 2015-2024 版权所有"]
    assert clean_text(page("青山镇打造红色网格", BODY, anonymous))["meta"]["outlet"] is None


def test_site_name_above_the_headline_is_dropped_and_names_the_outlet():
    text = "\n".join(["长治党建网", "首页  要闻  基层党建  干部工作  人才工作", "沁源县深化基层党建五项特色做法",
                      "发布时间：2022年03月10日", *BODY])
    res = clean_text(text)
    assert res["title"] == "沁源县深化基层党建五项特色做法"
    assert "长治党建网" not in [b["text"] for b in res["blocks"]]
    assert [d["rule"] for d in res["dropped"] if d["text"] == "长治党建网"] == ["site-name"]
    assert res["meta"]["outlet"] == "长治党建网"
    # a headline that happens to end in 网 stays: no second headline follows it
    own = clean_text("\n".join(["织密党建引领基层治理一张网", "时间：2023-05-06", *BODY]))
    assert own["title"] == "织密党建引领基层治理一张网"


@pytest.mark.parametrize("line, date", [
    ("2020年10月21日09:16    来源：贵州日报", "2020-10-21"),
    ("2021年11月09日08:35 | 来源：人民网－山东频道", "2021-11-09"),
    ("2023-07-19 来源：顺德区委两新工委 【字号：大 中 小】 浏览：2046", "2023-07-19"),
    ("作者：党委组织部 发布时间：2023-06-28 浏览次数：1562", "2023-06-28"),
])
def test_dateline_shapes(line, date):
    res = clean_text("\n".join(["青山镇打造红色网格", line, *BODY]))
    assert res["meta"]["published"] == date
    assert line not in [b["text"] for b in res["blocks"]]
