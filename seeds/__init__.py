"""Demo data: the generator, its inputs and its committed output (all invented, see README)."""
