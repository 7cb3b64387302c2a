"""Number grouping for Simplified Chinese: amounts read 8,501,000,000 (Django's zh_Hans sets
none). Only numbers formatted with grouping (floatformat's "g", intcomma) are affected."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
