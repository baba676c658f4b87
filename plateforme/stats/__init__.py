"""Perception-survey statistics: raking, weighted agreement, officials' gap, suppression.

Pure Python + numpy, with no web or database dependency, so it can be tested
and reused on its own.
"""

from .estimates import (
    AgreementShare,
    agreement_share,
    agreement_share_from_codes,
    answer_codes,
    design_effect,
    kish_n_eff,
    wilson_interval,
)
from .gap import (
    Gap,
    OfficialsSummary,
    gap,
    mean_absolute_error,
    officials_summary,
    projection,
    t_quantile,
    welch_satterthwaite_df,
    wrong_majority_rate,
)
from .linearisation import linearised_n_eff, linearised_variance
from .raking import (
    EmptyCategoryError,
    InconsistentMarginsError,
    RakingError,
    RakingResult,
    UnknownCategoryError,
    rake,
    rake_feasible,
)
from .suppression import officials_distribution_publishable, officials_publishable, suppress_cells

__all__ = [
    "AgreementShare",
    "EmptyCategoryError",
    "Gap",
    "InconsistentMarginsError",
    "OfficialsSummary",
    "RakingError",
    "RakingResult",
    "UnknownCategoryError",
    "agreement_share",
    "agreement_share_from_codes",
    "answer_codes",
    "design_effect",
    "gap",
    "kish_n_eff",
    "linearised_n_eff",
    "linearised_variance",
    "mean_absolute_error",
    "officials_distribution_publishable",
    "officials_publishable",
    "officials_summary",
    "projection",
    "rake",
    "rake_feasible",
    "suppress_cells",
    "t_quantile",
    "welch_satterthwaite_df",
    "wrong_majority_rate",
    "wilson_interval",
]
