"""HTML screens of the scoring workflow (under ``beoordeling/``): the evaluators' screens,
the chair's assignment and consensus screens, and the requirement review."""
