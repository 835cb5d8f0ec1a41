from .problem import ProblemKind, ProblemReport
from .rating import HideReason, Rating, Score
from .stats import RatingStats, StationDay
from .tokens import RateLimitBucket, RetiredToken

__all__ = [
    "HideReason",
    "ProblemKind",
    "ProblemReport",
    "RateLimitBucket",
    "Rating",
    "RatingStats",
    "RetiredToken",
    "Score",
    "StationDay",
]
