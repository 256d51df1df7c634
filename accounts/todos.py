"""One line of a start page (issue 18.1): what to do next, where, and by when.

Each app's ``todo_selectors`` builds the lines for the data it owns; the start page
(``contracts.start_views``) puts them together per role.
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Todo:
    """``action`` says what to do (Dutch, shown as the link text to ``url``); ``subject`` is
    what it concerns (a tender's title, a dossier); ``step`` the current step where there is
    one; ``due`` the deadline; ``late`` whether that deadline has passed with the work not
    done (shown as "te laat"); ``note`` a short state under the action (a draft's checklist);
    ``count`` how many items wait, where that is a number."""

    subject: str
    action: str
    url: str
    step: str = ""
    due: datetime | date | None = None
    count: int | None = None
    late: bool = False
    note: str = ""

    @property
    def has_time(self) -> bool:
        """Whether ``due`` is a moment (shown with its time) rather than a day."""
        return isinstance(self.due, datetime)
