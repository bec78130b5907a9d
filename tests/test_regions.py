"""Region resolution (casebook.regions) on the five seed pages and on known hard cases."""
from __future__ import annotations

from pathlib import Path

import opencc
import pytest
import yaml

from casebook import regions

ROOT = Path(__file__).resolve().parents[1]
GOLD = yaml.safe_load((ROOT / "tests/gold/seed-cases.yaml").read_text(encoding="utf-8"))
_T2S = opencc.OpenCC("t2s")


def page(stem: str) -> str:
    path = next((ROOT / "raw").glob(f"{stem}*.txt"))
    return _T2S.convert(path.read_text(encoding="utf-8"))


def gold(stem: str) -> dict:
    return next(v for k, v in GOLD.items() if k.startswith(stem))


def articles_001() -> list[tuple[str | None, str | None, str]]:
    """(title, author, text) of the four articles strung together on page 001."""
    text = page("001")
    titles = gold("001")["titles"]
    out = []
    rest = text
    for title in titles[1:]:
        head = title.split(" ")[0] if title.startswith("强化") else title
        before, rest = rest.split(head + "\n", 1)
        out.append(before)
        rest = head + "\n" + rest
    out.append(rest)
    result = []
    for n, chunk in enumerate(out):
        author = next((ln for ln in chunk.splitlines() if ln.startswith("中共") and ln.endswith("组织部")), None)
        result.append((titles[n], author, chunk))
    return result


def same_region(got: dict, want: dict) -> None:
    for key in ("province", "city", "county", "code"):
        assert got.get(key) == want.get(key), (key, got, want)


# ---------------------------------------------------------------- the seeds

@pytest.mark.parametrize("stem", ["000", "002", "003", "004"])
def test_seed_page_region(stem):
    want = gold(stem)["region"]
    got = regions.resolve(page(stem), {})
    same_region(got, want)
    assert isinstance(got["code"], str) and len(got["code"]) == 6


def test_seed_000_every_practice_keeps_the_page_region():
    text = page("000")
    page_region = regions.resolve(text, {"page_title": "八大党建品牌引领高质量发展"})
    practices = [ln for ln in text.splitlines() if ln.startswith("特色做法")]
    assert len(practices) == 8
    for para in practices:   # 茂名 named in 特色做法一/五 must not lift the case to the city
        same_region(regions.resolve(para, {"page_region": page_region}), gold("000")["region"])


def test_seed_001_four_districts_with_merged_codes_and_notes():
    page_region = regions.resolve(page("001"), {"url": "http://yichun.dbw.cn/system/2016/1.shtml"})
    arts = articles_001()
    assert len(arts) == 4
    for (title, author, text), want in zip(arts, gold("001")["regions"]):
        assert author == want["author"]
        got = regions.resolve(text, {"title": title, "author": author, "page_region": page_region})
        for key in ("province", "city", "county"):
            assert got.get(key) == want[key]
        if "note" in want:       # e.g. "merged into 伊美区 (230717) in 2019"
            current, code = want["note"].split("merged into ")[1].split(" (")
            code = code.split(")")[0]
            assert got["code"] == code
            assert current in got["note"] and code in got["note"] and "2019" in got["note"]
        else:
            assert got["code"] == want["code"] and "note" not in got


def test_seed_001_article_without_author_still_resolves_from_its_text():
    title, _author, text = articles_001()[1]
    text = text.replace("中共伊春区委组织部\n", "")
    got = regions.resolve(text, {"title": title})
    assert got["county"] == "伊春区" and got["code"] == "230717"


def test_seed_003_city_wide_with_mentions():
    want = gold("003")
    got = regions.resolve(page("003"), {"outlet": "南方日报"})
    assert "county" not in got and got["code"] == "440800"
    names = [m["name"] for m in got["mentions"]]
    assert sorted(names) == sorted(want["mentions"])
    for m in got["mentions"]:
        if m["name"] == "湛江经开区":          # a development zone: no GB/T 2260 code
            assert "code" not in m and m["parent"] == "440800"
        else:
            assert regions.by_code(m["code"]).name == m["name"]
            assert regions.by_code(m["code"]).parent == "440800"


def test_seed_003_role_sections_stay_city_wide():
    text = page("003")
    page_region = regions.resolve(text, {})
    start = text.index("担当联建共建")      # opens with 廉江市、吴川市…, then 赤坎区
    got = regions.resolve(text[start:], {"page_region": page_region})
    assert got["code"] == "440800" and "county" not in got
    assert {m["name"] for m in got["mentions"]} == {"廉江市", "吴川市", "赤坎区"}


def test_seed_004_village_named_like_another_citys_district_is_ignored():
    text = page("004")
    got = regions.resolve(text, {})
    # 大赤坎村 / 小赤坎村 are villages of 斗门, not 湛江's 赤坎区; 佛山“南海模式” is not a sub-region
    assert got["code"] == "440403"
    assert got["mentions"] == []
    assert regions.resolve("大赤坎村党群服务中心服务大厅内，5名工作人员正在接待村民。",
                           {"page_region": got})["code"] == "440403"


# ---------------------------------------------------------------- lookups

def test_dataset_is_the_package_not_a_hand_list():
    db = regions._db()
    assert len([d for d in db.all if not d.historical]) > 3000
    assert regions.by_code("440904").name == "电白区"
    assert regions.by_code("440904000000").name == "电白区"     # 12-digit adcodes accepted
    assert regions.by_code("999999") is None


@pytest.mark.parametrize("name,code,level", [
    ("电白", "440904", "county"), ("湛江", "440800", "city"), ("廉江", "440881", "county"),
    ("酉阳", "500242", "county"), ("延边", "222400", "city"), ("浦东", "310115", "county"),
    ("广西", "450000", "province"), ("神农架", "429021", "county"), ("斗门区", "440403", "county"),
])
def test_find_without_suffix(name, code, level):
    found = regions.find(name)
    assert found and found[0].code == code and found[0].level == level


def test_county_level_city_and_province_direct_county():
    lianjiang = regions.find("廉江市")[0]
    assert lianjiang.level == "county" and lianjiang.parents == ("440000", "440800")
    assert regions.to_dict(lianjiang) == {"province": "广东省", "city": "湛江市", "county": "廉江市",
                                          "code": "440881"}
    xiantao = regions.find("仙桃")[0]               # 湖北省直辖县级行政单位: no city level
    assert xiantao.parents == ("420000",)


def test_find_does_not_guess_a_wrong_suffix():
    assert regions.find("电白县") == []


def test_merged_districts():
    cuiluan = regions.find("翠峦区")[0]
    assert cuiluan.historical and cuiluan.current == "230718" and cuiluan.year == 2019
    assert regions.by_code("230718").name == "乌翠区"
    got = regions.resolve("翠峦区委严实把好四个关口。", {"author": "中共翠峦区委组织部"})
    assert (got["city"], got["county"], got["code"]) == ("伊春市", "翠峦区", "230718")
    assert "乌翠区" in got["note"]


def test_ambiguous_name_disambiguated_by_parent():
    assert {d.code for d in regions.find("朝阳区")} >= {"110105", "220104"}
    assert [d.code for d in regions.find("朝阳区", within="110000")] == ["110105"]
    assert [d.code for d in regions.find("朝阳区", within="220100")] == ["220104"]
    changchun = {"province": "吉林省", "city": "长春市", "code": "220100"}
    assert regions.resolve("朝阳区推行“街乡吹哨”。", {"page_region": changchun})["code"] == "220104"
    assert regions.resolve("北京市朝阳区推行“街乡吹哨”。", {})["code"] == "110105"
    # alone and without context the name stays unresolved rather than guessed
    assert "code" not in regions.resolve("朝阳区推行“街乡吹哨”。", {})
    jincheng = {"province": "山西省", "city": "晋城市", "code": "140500"}
    assert regions.resolve("城区街道推行网格化管理。", {"page_region": jincheng})["code"] == "140502"


def test_county_contradicting_the_page_is_rejected():
    doumen = {"province": "广东省", "city": "珠海市", "county": "斗门区", "code": "440403"}
    got = regions.resolve("南海区推出升级版的新政。", {"page_region": doumen})
    assert got["code"] == "440403"


def test_common_words_are_not_places():
    assert "code" not in regions.resolve("维护社会长治久安，促进世界和平。", {})


def test_typo_suggestion():
    assert regions.suggest("电白县")[0].code == "440904"
    assert regions.suggest("湛江县")[0].code == "440800"


def test_url_host_hint():
    got = regions.resolve("近年来，全市推行党建工作责任制。", {"url": "http://www.maoming.gov.cn/a.html"})
    assert got["code"] == "440900"


# ---------------------------------------------------------------- check

def test_check_valid_regions():
    assert regions.check(gold("000")["region"]) == []
    assert regions.check(gold("003")["region"]) == []
    assert regions.check({"province": "黑龙江省", "city": "伊春市", "county": "翠峦区", "code": "230718"}) == []
    assert regions.check({"province": "北京市", "city": "北京市", "county": "朝阳区", "code": "110105"}) == []


def test_check_messages():
    got = regions.check({"province": "广东省", "city": "茂名市", "county": "电白县", "code": "440904"})
    assert got == [("county", "「电白县」不存在，是否指「电白区」(440904)?", "电白区")]
    (field, msg, sugg), = regions.check({"province": "广东省", "city": "茂名市", "county": "电白区",
                                         "code": "440903"})
    assert field == "code" and sugg == "440904" and "440903" in msg
    (field, msg, sugg), = regions.check({"province": "广东省", "city": "茂名市", "county": "电白区",
                                         "code": "440800"})
    assert field == "code" and sugg == "440904"
    fields = [f for f, _, _ in regions.check({"province": "广东省", "city": "茂名市", "county": "廉江市",
                                               "code": "440881"})]
    assert fields[0] == "county"
    assert regions.check({"province": "广东", "city": "湛江市", "code": "440800"})[0][2] == "广东省"


# ---------------------------------------------------------------- slugs

@pytest.mark.parametrize("region,parts", [
    ({"province": "广东省", "city": "茂名市", "county": "电白区"}, ["guangdong", "maoming", "dianbai"]),
    ({"province": "重庆市", "city": "重庆市", "county": "丰都县"}, ["chongqing", "fengdu"]),
    ({"province": "湖南省", "city": "长沙市"}, ["hunan", "changsha"]),
    ({"province": "北京市", "city": "北京市", "county": "朝阳区"}, ["beijing", "chaoyang"]),
    ({"province": "黑龙江省", "city": "伊春市", "county": "翠峦区"}, ["heilongjiang", "yichun", "cuiluan"]),
    ({"province": "广西壮族自治区"}, ["guangxi"]),
])
def test_slug_parts(region, parts):
    assert regions.slug_parts(region) == parts


def test_author_organisation_comes_first():
    jiayin = {"province": "黑龙江省", "city": "伊春市", "county": "嘉荫县", "code": "230722"}
    # the author names the region even when the text names another one
    got = regions.resolve("嘉荫县坚持以落实责任为目标。", {"author": "中共翠峦区委组织部", "page_region": jiayin})
    assert got["county"] == "翠峦区"
    # an author elsewhere than the page (a page collecting several cities' articles) still wins
    assert regions.resolve("本文", {"author": "中共湛江市委组织部", "page_region": jiayin})["code"] == "440800"
    # an ambiguous author is settled by the page; a byline of people is not an organisation
    beijing = {"province": "北京市", "code": "110000"}
    assert regions.resolve("本文", {"author": "中共朝阳区委组织部", "page_region": beijing})["code"] == "110105"
    assert regions.resolve("嘉荫县推行述职评议。", {"author": "通讯员 李华斌 杨子劲"})["code"] == "230722"
