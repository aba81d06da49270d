"""Award nominations (提名书), their formal review, panel, committee vote, notices and results (AW-1..AW-3)."""
