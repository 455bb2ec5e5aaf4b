"""Pure statistics for reports: descriptives, comparisons, effect sizes, survival, group sizes and
trial analysis, one module each. Nothing of the app is imported here; every function is checked
against SciPy or statsmodels in tests/unit. Callers use ``from trainer import stats``."""
from trainer.stats._common import SMALL_CELL, Values
from trainer.stats.comparisons import (Ancova, Correlation, EffectSize, Welch, ancova, hedges_g,
                                       hedges_g_baseline, hedges_g_from_d, holm, pearson, welch)
from trainer.stats.descriptive import (Description, PairedDifference, describe, describe_counts,
                                       distribution, mean_change, paired_difference, response_rate)
from trainer.stats.groups import is_small, merge_small_groups, shown_parts
from trainer.stats.survival import Survival, kaplan_meier, kaplan_meier_counts, survival_at
from trainer.stats.trial import (RELIABLE, Imputed, ProportionDifference, break_even, mice_ancova,
                                 proportion_difference, reliable_change_category,
                                 reliable_change_counts, reliable_change_index)

__all__ = [
    "SMALL_CELL", "Values", "Description", "PairedDifference", "describe", "describe_counts",
    "distribution", "response_rate", "paired_difference", "mean_change", "Welch", "EffectSize", "Ancova",
    "Correlation", "welch", "hedges_g_from_d", "hedges_g", "ancova", "pearson", "hedges_g_baseline",
    "holm", "Survival", "kaplan_meier", "kaplan_meier_counts", "survival_at", "is_small",
    "merge_small_groups", "shown_parts", "RELIABLE", "reliable_change_index",
    "reliable_change_category", "reliable_change_counts", "Imputed",
    "mice_ancova", "ProportionDifference", "proportion_difference", "break_even",
]
