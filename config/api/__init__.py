"""Project-wide API plumbing: the problem+json error layer and its OpenAPI description."""
