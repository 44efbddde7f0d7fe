"""Generates the demo service-item catalogue: the departments of Zhongshan, what they
handle and the usual acts on each (申领, 变更, 注销 …), in the shape sync delivers.

The eight items of ``catalogue.json`` are kept with their codes (the bundled tickets and
demo appointments name them). ``--count`` adds town-level variants (镇街受理点) to reach
a larger catalogue for the search benchmark. The output is deterministic.

Run: ``.venv/bin/python -m appliance_dev.datagen.make_catalogue [--count N] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import appliance
from appliance.domain.pinyin_keys import pinyin_keys

DATA = Path(appliance.__file__).parent / "data"  # written into the runtime package
DEMO_COUNT = 2400

# department, code letters, subjects, acts
DEPARTMENTS: list[tuple[str, str, list[str], list[str]]] = [
    (
        "中山市公安局",
        "GA",
        [
            "居民身份证",
            "临时居民身份证",
            "户口",
            "居住证",
            "港澳通行证",
            "往来台湾通行证",
            "普通护照",
            "机动车驾驶证",
            "机动车登记",
            "无犯罪记录证明",
            "亲属关系证明",
            "暂住登记",
        ],
        [
            "申领",
            "换领",
            "补领",
            "变更登记",
            "注销登记",
            "迁入登记",
            "迁出登记",
            "签注",
            "核查证明",
        ],
    ),
    (
        "中山市人力资源和社会保障局",
        "SB",
        [
            "社会保障卡",
            "养老保险",
            "失业保险金",
            "工伤保险待遇",
            "职业资格证书",
            "就业创业证",
            "人才引进",
            "灵活就业人员社保",
            "劳动合同备案",
            "技能人才补贴",
        ],
        [
            "申领",
            "补领",
            "变更",
            "转移接续",
            "待遇申领",
            "参保登记",
            "停保登记",
            "信息查询",
            "证明开具",
        ],
    ),
    (
        "中山市市场监督管理局",
        "SC",
        [
            "个体工商户",
            "企业名称",
            "有限责任公司",
            "农民专业合作社",
            "食品经营许可证",
            "药品经营许可证",
            "特种设备使用登记",
            "计量器具检定",
            "广告发布登记",
            "股权出质",
        ],
        ["设立登记", "变更登记", "注销登记", "备案", "延续", "补证", "年度报告", "许可核发"],
    ),
    (
        "中山市住房公积金管理中心",
        "ZJ",
        ["住房公积金", "公积金贷款", "公积金缴存", "公积金账户"],
        [
            "提取",
            "开户登记",
            "缴存基数调整",
            "转移",
            "封存",
            "启封",
            "贷款申请",
            "提前还款",
            "缴存证明开具",
            "异地转入",
        ],
    ),
    (
        "中山市民政局",
        "MZ",
        [
            "婚姻登记",
            "社会组织",
            "最低生活保障",
            "特困人员供养",
            "殡葬补贴",
            "养老机构",
            "临时救助",
            "残疾人两项补贴",
        ],
        ["记录证明", "成立登记", "变更登记", "注销登记", "申请", "年度检查", "备案", "资格认定"],
    ),
    (
        "中山市不动产登记中心",
        "BD",
        [
            "国有建设用地使用权",
            "房屋所有权",
            "抵押权",
            "预告登记",
            "宅基地使用权",
            "不动产权证书",
            "查封登记",
            "地役权",
        ],
        ["首次登记", "转移登记", "变更登记", "注销登记", "更正登记", "换证", "补证", "信息查询"],
    ),
    (
        "中山市住房和城乡建设局",
        "ZF",
        [
            "建筑工程施工许可",
            "商品房预售许可",
            "建筑业企业资质",
            "房屋租赁",
            "公共租赁住房",
            "燃气经营许可",
            "物业服务企业",
            "施工图审查",
        ],
        ["核发", "变更", "延续", "备案", "申请", "注销", "资格认定", "证明开具"],
    ),
    (
        "中山市卫生健康局",
        "WJ",
        [
            "医师执业",
            "护士执业",
            "医疗机构执业许可",
            "出生医学证明",
            "放射诊疗许可",
            "母婴保健技术服务",
            "公共场所卫生许可",
            "计划生育奖励扶助",
        ],
        ["注册", "变更注册", "延续注册", "核发", "补发", "校验", "注销", "申请"],
    ),
    (
        "中山市医疗保障局",
        "YB",
        [
            "城乡居民医保",
            "职工医保",
            "医保关系",
            "门诊特定病种",
            "异地就医",
            "生育保险待遇",
            "医疗费用",
        ],
        ["参保登记", "变更", "转移接续", "备案", "待遇申领", "报销", "资格认定", "证明开具"],
    ),
    (
        "国家税务总局中山市税务局",
        "SW",
        ["增值税", "个人所得税", "发票", "税务登记", "完税证明", "契税", "车船税", "出口退税"],
        [
            "申报",
            "汇算清缴",
            "领用",
            "代开",
            "变更登记",
            "注销登记",
            "开具",
            "减免备案",
            "退税申请",
        ],
    ),
    (
        "中山市教育和体育局",
        "JY",
        [
            "教师资格",
            "民办学校",
            "学生学籍",
            "校外培训机构",
            "学历证明",
            "义务教育入学",
            "体育经营活动",
        ],
        ["认定", "办学许可", "转学", "变更", "证明开具", "申请", "备案", "注销"],
    ),
    (
        "中山市交通运输局",
        "JT",
        [
            "道路运输经营许可",
            "道路运输证",
            "出租汽车驾驶员证",
            "网络预约出租汽车运输证",
            "机动车维修经营",
            "驾驶员培训",
            "超限运输车辆",
        ],
        ["核发", "变更", "延续", "补发", "注销", "备案", "年度审验", "许可"],
    ),
    (
        "中山市自然资源局",
        "ZR",
        [
            "建设用地规划许可",
            "建设工程规划许可",
            "临时用地",
            "测绘资质",
            "地名命名",
            "采矿权",
            "林木采伐许可",
        ],
        ["核发", "变更", "延续", "审批", "备案", "注销", "证明开具"],
    ),
    (
        "中山市生态环境局",
        "HB",
        ["建设项目环境影响评价", "排污许可", "危险废物经营许可", "辐射安全许可", "噪声排放"],
        ["审批", "核发", "变更", "延续", "备案", "注销", "登记"],
    ),
    (
        "中山市农业农村局",
        "NY",
        [
            "农药经营许可",
            "兽药经营许可",
            "动物防疫条件合格证",
            "农村宅基地",
            "渔业捕捞许可",
            "种子生产经营许可",
            "拖拉机登记",
        ],
        ["核发", "变更", "延续", "审批", "补发", "注销", "备案"],
    ),
    (
        "中山市司法局",
        "SF",
        ["律师执业", "公证", "法律援助", "基层法律服务工作者执业", "司法鉴定人执业", "人民调解"],
        ["核准", "变更", "注销", "申请", "办理", "备案", "证明"],
    ),
    (
        "中山市退役军人事务局",
        "TY",
        ["退役军人优待证", "优抚对象抚恤", "退役士兵安置", "烈士褒扬金", "军人家属随军"],
        ["申领", "补领", "申请", "待遇认定", "变更", "证明开具"],
    ),
    (
        "中山市文化广电旅游局",
        "WL",
        [
            "娱乐场所经营",
            "旅行社业务经营",
            "互联网上网服务营业场所",
            "营业性演出",
            "出版物零售",
            "文物保护单位建设工程",
        ],
        ["许可", "变更", "延续", "备案", "注销", "审批"],
    ),
    (
        "中山市商务局",
        "SWJ",
        ["对外贸易经营者", "成品油零售经营", "拍卖企业", "单用途预付卡", "再生资源回收经营者"],
        ["备案登记", "变更", "许可", "注销", "年度核查"],
    ),
    (
        "中山市城市管理和综合执法局",
        "CG",
        [
            "城市道路占用",
            "户外广告设施",
            "建筑垃圾处置",
            "城市绿地占用",
            "燃气设施改动",
            "环境卫生设施拆除",
        ],
        ["许可", "审批", "变更", "延续", "备案", "核准"],
    ),
    (
        "中山市水务局",
        "SW2",
        [
            "取水许可",
            "河道管理范围内建设项目",
            "生产建设项目水土保持方案",
            "城镇污水排入排水管网",
            "水利工程质量检测",
        ],
        ["审批", "核发", "变更", "延续", "注销", "备案"],
    ),
    (
        "中山市应急管理局",
        "YJ",
        [
            "危险化学品经营许可",
            "烟花爆竹经营许可",
            "安全生产许可",
            "特种作业操作证",
            "生产安全事故应急预案",
        ],
        ["核发", "变更", "延续", "复审", "备案", "注销"],
    ),
    (
        "中山市残疾人联合会",
        "CL",
        ["残疾人证", "残疾人辅助器具", "残疾人就业", "残疾人托养服务"],
        ["核发", "换领", "补办", "迁移", "申请", "补贴申领"],
    ),
    (
        "中山市档案馆",
        "DA",
        ["婚姻档案", "知青档案", "招工档案", "企业档案", "房产档案"],
        ["查阅", "复制", "证明出具", "移交", "寄存"],
    ),
]

TOWNS = [
    "石岐街道",
    "东区街道",
    "西区街道",
    "南区街道",
    "五桂山街道",
    "火炬开发区",
    "小榄镇",
    "古镇镇",
    "横栏镇",
    "港口镇",
    "沙溪镇",
    "大涌镇",
    "黄圃镇",
    "南头镇",
    "东凤镇",
    "阜沙镇",
    "三角镇",
    "民众街道",
    "南朗街道",
    "坦洲镇",
    "板芙镇",
    "神湾镇",
    "三乡镇",
]


def _item(code: str, name: str, department: str, rng: random.Random) -> dict:
    full, initials = pinyin_keys(name)
    return {
        "code": code,
        "name": name,
        "department": department,
        "promised_days": rng.choice([None, 1, 3, 5, 7, 10, 15, 20, 30]),
        "default_type": rng.choice(["branch", "branch", "department"]),
        "pinyin": full,
        "initials": initials,
    }


def generate(count: int, seed: int = 442000) -> list[dict]:
    """The eight bundled items, then every subject × act, then town variants up to count."""
    rng = random.Random(seed)
    kept = json.loads((DATA / "catalogue.json").read_text(encoding="utf-8"))["items"]
    items = [
        {**raw, **dict(zip(("pinyin", "initials"), pinyin_keys(raw["name"]), strict=True))}
        for raw in kept
    ]
    names = {raw["name"] for raw in kept}
    codes = {raw["code"] for raw in kept}
    base: list[tuple[str, str, str]] = []
    for department, letters, subjects, acts in DEPARTMENTS:
        number = 1000
        for subject in subjects:
            for act in acts:
                number += 1
                name = f"{subject}{act}"
                code = f"442000-{letters}-{number:04d}"
                if name not in names and code not in codes:
                    base.append((code, name, department))
                    names.add(name)
    items += [_item(code, name, dept, rng) for code, name, dept in base]
    variants = (
        (town_no, town, entry) for town_no, town in enumerate(TOWNS, start=1) for entry in base
    )
    for town_no, town, (code, name, department) in variants:
        if len(items) >= count:
            break
        items.append(_item(f"{code}-{town_no:02d}", f"{name}（{town}受理点）", department, rng))
    return items[:count]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEMO_COUNT)
    parser.add_argument("--output", type=Path, default=DATA / "demo_catalogue.json")
    args = parser.parse_args(argv)
    items = generate(args.count)
    args.output.write_text(
        json.dumps(
            {"version": 1, "items": items}, ensure_ascii=False, separators=(",", ":")
        ).replace("},{", "},\n{")
        + "\n",
        encoding="utf-8",
    )
    departments = len({i["department"] for i in items})
    print(f"wrote {args.output}: {len(items)} items across {departments} departments")


if __name__ == "__main__":
    main()
