"""Module usefulness ratings: waves, answers, the report, the comparison and their exports."""
