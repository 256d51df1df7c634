class ApplicationError(Exception):
    """A business rule refused an action. ``message`` is Dutch and shown to the user as is;
    ``field`` names the input it concerns, where there is one (API field errors)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
