"""Admin for ratings, problem reports and retired tokens. Imported by RatingsConfig.ready()."""

from . import problems, ratings  # noqa: F401
