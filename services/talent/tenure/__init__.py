"""The tenure of a selected talent (TAL-3): support in tranches, annual assessments, the final evaluation."""
