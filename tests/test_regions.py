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


# ---------------------------------------------------------------- round 2: blind-corpus rules

def code(text: str, hints: dict | None = None) -> str | None:
    return regions.resolve(text, hints or {}).get("code")


@pytest.mark.parametrize("text, want", [
    # a bare place name that starts an organisation's name is not the case's place
    ("江汉理工大学党委深入实施“双带头人”培育工程，在武汉市高校党建工作推进会上作交流发言。", "420100"),
    ("近日，长安科技大学、江汉大学附属医院党委与茂名市委组织部签订共建协议。", "440900"),
    ("电白集团公司党委推行“党建+项目”，茂名市国资委予以推广。", "440900"),
    ("【香港商报网讯】福建晋江是著名侨乡，晋江市委组织部以“侨乡党建”为抓手。", "350582"),
    ("沁源县推行“三链”融合。（来源：长治组工网）", "140431"),
])
def test_place_inside_an_organisation_name_is_not_a_place(text, want):
    assert code(text) == want


def test_organisation_name_alone_names_no_place():
    assert "code" not in regions.resolve("江汉理工大学党委组织部召开组织员工作例会。", {})
    assert "code" not in regions.resolve("学校党委推行支部书记工作室。", {"author": "江汉理工大学党委组织部"})
    assert "code" not in regions.resolve("湖南师范大学附属中学党委推行“一支部一品牌”。", {})


@pytest.mark.parametrize("text, want", [
    # party and government organs and full names still count (counter-examples)
    ("江汉区委组织部推行“红色物业”。", "420103"),
    ("中共电白区委组织部：选优配强村干部。", "440904"),
    ("茂名市委印发《关于加强村级组织建设的意见》。", "440900"),
    ("江汉区人民医院党委推行“支部建在科室上”。", "420103"),
])
def test_party_organs_and_full_names_are_still_places(text, want):
    assert code(text) == want


@pytest.mark.parametrize("text, want", [
    # the destination of a study visit weighs far less than the subject
    ("西安市长安区委组织部组织党员赴延安开展学习。", "610116"),
    ("学校与长安区委组织部结对共建，组织教师党支部书记到延安、照金等革命传统教育基地开展现场教学。", "610116"),
    ("沛县组织村党组织书记到井冈山接受教育，到延安参观学习。", "320322"),
    ("晋江市委组织部组织年轻干部前往浙江安吉考察学习“两山”党建联盟经验。", "350582"),
    ("沁源县选派村党组织书记赴西柏坡、延安等地培训。", "140431"),
    ("沁源县委组织部组织新任村党组织书记远赴延安，重温入党誓词。", "140431"),
])
def test_destination_of_a_visit_is_not_the_subject(text, want):
    assert code(text) == want


def test_text_naming_only_a_destination_yields_to_the_page_or_outlet():
    text = "学校党委组织新任支部书记奔赴延安，在枣园旧址重温入党誓词。"
    assert code(text, {"outlet": "长治组工网"}) == "140400"
    changzhi = {"province": "山西省", "city": "长治市", "code": "140400"}
    assert code(text, {"page_region": changzhi}) == "140400"
    assert code(text) == "610600"     # nothing better known: the destination is all there is


@pytest.mark.parametrize("text, want", [
    # counter-examples: the place is the subject, not a destination
    ("延安市宝塔区推行“党建+网格”治理模式，到2025年实现全覆盖。", "610602"),
    ("延安市宝塔区组织党员到井冈山学习。", "610602"),
    ("省委书记到沁源县调研基层党建工作，听取村级集体经济发展情况汇报。", "140431"),
    ("走进沁源县王和镇，村企联建党组织带动群众种植中药材。", "140431"),
])
def test_place_after_a_verb_without_a_study_purpose_still_counts(text, want):
    assert code(text) == want


def test_name_written_before_its_own_county_only_qualifies_it():
    # a site line naming the city twice does not outweigh the county the article is about
    text = ("中共徐州市纪律检查委员会 徐州市监察委员会\n【基层监督】沛县：“三单一评”让村级权力在阳光下运行\n"
            "今年以来，江苏省徐州市沛县纪委监委推行“三单一评”工作机制。")
    assert code(text) == "320322"


@pytest.mark.parametrize("text, hints, want", [
    # the outlet's own place does not override the text
    ("福建晋江是著名侨乡。晋江市委组织部以“侨乡党建”为抓手。", {"outlet": "香港商报网"}, "350582"),
    ("晋江市推行“侨胞之家”党群服务站。", {"outlet": "香港商报网", "site": "香港商报网", "url": "http://www.hkcd.com/a"}, "350582"),
    ("香港商报网\n安吉县推行“两山”党建联盟。", {"outlet": "香港商报网"}, "330523"),
    ("近日，安吉县委组织部推行“两山”党建联盟。", {"page_title": "北京日报：安吉“两山”党建联盟"}, "330523"),
])
def test_outlet_place_does_not_override_the_text(text, hints, want):
    assert code(text, hints) == want


def test_outlet_place_decides_only_when_the_text_names_none():
    assert code("学校党委推行支部书记工作室制度。", {"outlet": "长治组工网"}) == "140400"
    assert code("学校党委推行支部书记工作室制度。", {"outlet": "香港商报网"}) == "810000"
    # and still chooses among the candidates of an ambiguous name
    assert code("朝阳区推行“街乡吹哨”。", {"outlet": "北京日报"}) == "110105"
    assert code("朝阳区推行“街乡吹哨”。", {"outlet": "长春日报"}) == "220104"


@pytest.mark.parametrize("text, hints, want", [
    # a column or site name taken for the title does not derail the region
    ("县区动态\n沁源县：“三链”融合壮大村级集体经济\n今年以来，沁源县把发展壮大村级集体经济作为重要抓手。",
     {"page_title": "县区动态", "outlet": "长治组工网"}, "140431"),
    ("定西组工网\n渭源县推行“党建+扶贫车间”模式。", {"page_title": "定西组工网", "outlet": "定西组工网"}, "621123"),
    ("定西组工网\n渭源县推行“党建+扶贫车间”模式。", {"page_title": "定西组工网"}, "621123"),
    ("江汉理工大学党委组织部\n学校党委推行“双带头人”培育工程，在武汉市高校党建工作推进会上交流。",
     {"page_title": "江汉理工大学党委组织部"}, "420100"),
])
def test_column_or_site_name_as_title_does_not_derail_the_region(text, hints, want):
    assert code(text, hints) == want
    page = regions.resolve(text, hints)
    case = regions.resolve(text, {**hints, "page_region": page})
    assert case["code"] == want
