"""Outcome questionnaires and the evaluation: scores, analysis, retention, costs and exports."""
