"""The categories of seed 000 (二) and the certificates each requires, as data officials may
change afterwards in the admin. Re-running leaves officials' edits alone (get_or_create)."""

from django.db import migrations

KINDS = [
    ("construction_qualification", "建筑业企业资质证书", "Construction enterprise qualification certificate"),
    ("safety_production", "安全生产许可证", "Work safety licence"),
    ("labour_dispatch", "劳务派遣经营许可证", "Labour dispatch business licence"),
    ("construction_labour", "施工劳务资质证书", "Construction labour qualification certificate"),
    ("green_material", "绿色建材产品认证证书", "Green building material product certificate"),
    ("iso9001", "质量管理体系认证证书（ISO 9001）", "Quality management system certificate (ISO 9001)"),
    ("law_firm", "律师事务所执业许可证", "Law firm practice licence"),
    ("tax_agent", "税务师事务所行政登记证书", "Tax agency registration certificate"),
    ("financial_licence", "金融许可证", "Financial licence"),
    ("insurance_licence", "保险许可证", "Insurance licence"),
    ("cma", "检验检测机构资质认定证书（CMA）", "Inspection body accreditation (CMA)"),
    ("cnas", "实验室认可证书（CNAS）", "Laboratory accreditation (CNAS)"),
    ("design_qualification", "工程设计资质证书", "Engineering design qualification certificate"),
    ("road_transport", "道路运输经营许可证", "Road transport business licence"),
]

# code, name, English, the requirements (each: any one of these kinds)
CATEGORIES = [
    ("specialist_contracting", "专业承包", "Specialist contracting", [["construction_qualification"], ["safety_production"]]),
    ("green_materials", "绿色建材", "Green building materials", [["green_material"]]),
    ("equipment", "装备制造", "Equipment manufacturing", [["iso9001"]]),
    (
        "labour_subcontracting",
        "劳务分包",
        "Labour subcontracting",
        [["labour_dispatch", "construction_labour"], ["safety_production"]],
    ),
    ("legal", "法务", "Legal services", [["law_firm"]]),
    ("tax", "税务", "Tax services", [["tax_agent"]]),
    ("finance_insurance", "金融保险", "Finance and insurance", [["financial_licence", "insurance_licence"]]),
    ("testing_certification", "检验检测认证", "Testing and certification", [["cma", "cnas"]]),
    ("design_consulting", "设计咨询", "Design and consulting", [["design_qualification"]]),
    ("logistics", "物流", "Logistics", [["road_transport"]]),
]


def seed(apps, schema_editor):
    CertificateKind = apps.get_model("suppliers", "CertificateKind")
    Category = apps.get_model("suppliers", "Category")
    CategoryRequirement = apps.get_model("suppliers", "CategoryRequirement")
    kinds = {}
    for code, name, name_en in KINDS:
        kinds[code], _created = CertificateKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    for position, (code, name, name_en, requirements) in enumerate(CATEGORIES, 1):
        category, created = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
        if not created:
            continue
        for alternatives in requirements:
            requirement = CategoryRequirement.objects.create(category=category)
            requirement.kinds.set([kinds[kind] for kind in alternatives])


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
