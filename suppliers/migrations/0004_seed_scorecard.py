"""The star rating's criteria, the performance scorecard's weights (summing to 100) and its
standings (0-30 very poor, 30-50 poor, 50-80 average, 80-100 excellent), as data officials may
change in the admin. Re-running leaves their edits alone (get_or_create)."""

from decimal import Decimal

from django.db import migrations

RATING_CRITERIA = [
    ("qualification", "资质与认证", "Qualifications and certification"),
    ("product_quality", "产品与服务质量", "Product and service quality"),
    ("capacity", "供应能力", "Capacity"),
    ("overseas_experience", "海外业绩", "Overseas track record"),
    ("compliance_credit", "合规与信用", "Compliance and credit"),
]
SCORECARD = [
    ("quality", "质量", "Quality", 40),
    ("delivery", "交付", "Delivery", 25),
    ("compliance", "合规", "Compliance", 20),
    ("communication", "沟通", "Communication", 15),
]
STANDINGS = [
    ("very_poor", "很差", "Very poor", Decimal("0"), True),
    ("poor", "较差", "Poor", Decimal("30"), False),
    ("average", "一般", "Average", Decimal("50"), False),
    ("excellent", "优秀", "Excellent", Decimal("80"), False),
]


def seed(apps, schema_editor):
    RatingCriterion = apps.get_model("suppliers", "RatingCriterion")
    ScorecardCriterion = apps.get_model("suppliers", "ScorecardCriterion")
    ScorecardStanding = apps.get_model("suppliers", "ScorecardStanding")
    for position, (code, name, name_en) in enumerate(RATING_CRITERIA, 1):
        RatingCriterion.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})
    for code, name, name_en, weight in SCORECARD:
        ScorecardCriterion.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "weight": weight})
    for code, name, name_en, min_score, flag in STANDINGS:
        ScorecardStanding.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "min_score": min_score, "flag_to_reviewers": flag}
        )


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0003_ratings_supply_chains_reviews")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
