"""Admin for ratings, problem reports and scores."""
