"""Demo negative cases for `manage.py seed_demo` (run from risk/demo.py): a dozen typical cases
of the kinds the MOFCOM rules on bad credit records name, written as officials publish them,
the firms unnamed. Idempotent: the title is the natural key."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .choices import CaseCategory as C
from .models import NegativeCase

# (title, country, sector, category, days ago, summary, lessons)
CASES = [
    (
        "某企业在柬埔寨项目拖欠当地劳务工资引发群体性事件",
        "KH",
        "building",
        C.WAGE_ARREARS,
        40,
        "某建筑企业在金边的住宅项目因资金周转困难，连续三个月拖欠当地工人工资，引发数百名工人聚集抗议，项目停工两周。",
        "严格按合同和当地劳动法按时足额支付工资；建立工资保证金和应急资金安排；与当地工会和社区保持沟通。",
    ),
    (
        "某企业在巴基斯坦项目营地遭袭致人员伤亡",
        "PK",
        "power",
        C.SECURITY_INCIDENT,
        75,
        "某电力项目营地外围安保措施不足，人员外出未按规定报备和随行安保，途中遭武装袭击，造成人员伤亡。",
        "落实《对外投资合作境外安全风险防范指引》，营地实行封闭管理，人员出行报备并配备安保；定期开展应急演练。",
    ),
    (
        "某企业在越南因环评不合规被责令停产",
        "VN",
        "manufacturing",
        C.ENVIRONMENTAL_DAMAGE,
        120,
        "某制造企业投产后废水排放不达标，被当地环保部门处以罚款并责令停产整改，企业声誉受损。",
        "投资前充分了解东道国环保法规，环评和排放设施与主体工程同步建设，委托有资质的第三方定期检测。",
    ),
    (
        "某企业在肯尼亚项目投标中恶性压价导致亏损",
        "KE",
        "transport",
        C.UNFAIR_COMPETITION,
        160,
        "多家中资企业在同一道路项目投标中竞相压价，中标价低于成本，项目实施中资金链紧张、工期拖延，被业主索赔。",
        "遵守行业自律，理性报价；加强中资企业之间的沟通协调，避免恶性竞争损害整体利益。",
    ),
    (
        "某企业在沙特项目因合同条款理解偏差陷入长期仲裁",
        "SA",
        "petrochemical",
        C.CONTRACT_DISPUTE,
        200,
        "某石化项目对业主变更指令的计价条款理解不一致，索赔未获认可，双方进入国际仲裁，历时三年。",
        "签约前请专业律师审查合同，重视 FIDIC 条款中变更和索赔程序，及时书面记录并按时提出索赔。",
    ),
    (
        "某企业在尼日利亚项目汇率大幅贬值造成汇兑损失",
        "NG",
        "municipal",
        C.CURRENCY_LOSS,
        240,
        "项目合同以当地货币计价，当地货币一年内贬值超过 40%，企业未采取汇率避险措施，利润全部损失。",
        "合同尽量争取美元或人民币计价，或约定汇率调整条款；运用中国信保等政策性保险和金融避险工具。",
    ),
    (
        "某企业员工在印度尼西亚违反宗教习俗引发冲突",
        "ID",
        "industrial",
        C.LOCAL_CUSTOMS,
        280,
        "斋月期间部分中方员工在公共场所饮食并与当地居民发生争执，经社交媒体传播后引发舆情。",
        "出国前开展当地宗教、风俗和法律培训，制定员工行为守则，尊重当地习俗。",
    ),
    (
        "某企业在埃塞俄比亚项目发生高处坠落事故",
        "ET",
        "building",
        C.SAFETY_ACCIDENT,
        320,
        "某房建项目脚手架搭设不规范，作业人员未系安全带，发生高处坠落，造成一名当地工人死亡。",
        "严格执行安全生产责任制，开展班前安全交底，配齐劳动防护用品，加强对当地员工的安全培训。",
    ),
    (
        "某企业在老挝项目向当地官员行贿被查处",
        "LA",
        "transport",
        C.CORRUPTION,
        380,
        "项目人员为加快审批向当地官员输送利益，被当地反腐机构调查，企业被列入黑名单，禁止参与政府项目。",
        "建立合规管理体系，严禁商业贿赂，遵守东道国反腐败法律和国际规则，加强对代理人的合规审查。",
    ),
    (
        "某企业在马来西亚未取得工作准证使用外籍劳务被罚",
        "MY",
        "building",
        C.COMPLIANCE,
        420,
        "项目从国内派出的部分劳务人员持旅游签证务工，被移民局查获遣返，企业被处以罚款。",
        "依法为外派人员办理工作准证，通过有资质的外派劳务企业派遣人员，并在驻外使（领）馆报到登记。",
    ),
    (
        "某企业在泰国与当地员工发生劳动争议",
        "TH",
        "manufacturing",
        C.LABOUR_DISPUTE,
        460,
        "企业单方面调整排班和加班费计算方式，当地员工集体投诉，劳动部门介入调解，企业支付补偿。",
        "用工制度须符合当地劳动法，重大调整前与员工代表协商，建立畅通的申诉渠道。",
    ),
    (
        "某企业在缅甸项目因局势动荡被迫停工",
        "MM",
        "power",
        C.OTHER,
        500,
        "项目所在地区发生武装冲突，企业未及时评估风险和撤离人员，设备和物资遭受损失。",
        "密切关注国别风险等级和安全提醒，制定撤离预案，投保海外投资保险，风险升高时及时暂停项目。",
    ),
]


def seed(*, accounts, stdout) -> None:
    official = accounts.users.get("official")
    today = timezone.localdate()
    for title, country, sector, category, days_ago, summary, lessons in CASES:
        NegativeCase.objects.update_or_create(
            title=title,
            defaults={
                "country_id": country,
                "sector": sector,
                "category": category,
                "occurred_on": today - dt.timedelta(days=days_ago),
                "summary": summary,
                "lessons": lessons,
                "source": "省商务厅对外投资和经济合作处（演示数据）",
                "created_by": official,
            },
        )
    # The current training's talk on South-East Asian compliance discusses the Cambodian case.
    from talent.trainings.models import AgendaItem

    AgendaItem.objects.filter(title="东南亚国别合规要点", negative_case__isnull=True).update(
        negative_case=NegativeCase.objects.filter(title=CASES[0][0]).first()
    )
    stdout.write(f"risk: {len(CASES)} negative cases")
