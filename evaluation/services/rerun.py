"""Re-running a final ranking for the auditor (issue 18): the same engine over the inputs
stored with the ranking (``Ranking.inputs``) and its seed must give the same input hash and
the same result. Reads only; nothing is stored."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tender.errors import ApplicationError

from .. import ranking as engine
from ..models import Ranking
from ..selectors import ranking_run_inputs
from .ranking import refuse_before_opening


@dataclass(frozen=True)
class RankingRerun:
    """The hashes of the stored ranking next to those of its re-run. ``from_stored_inputs``
    is False for a ranking computed before the inputs were stored: it is re-run from the
    current data, which must still hash to the stored input hash."""

    from_stored_inputs: bool
    stored_input_hash: str
    rerun_input_hash: str
    stored_result_hash: str
    rerun_result_hash: str

    @property
    def inputs_equal(self) -> bool:
        return self.stored_input_hash == self.rerun_input_hash

    @property
    def result_equal(self) -> bool:
        return self.stored_result_hash == self.rerun_result_hash

    @property
    def equal(self) -> bool:
        return self.inputs_equal and self.result_equal


def ranking_rerun(*, ranking: Ranking) -> RankingRerun:
    """Recompute the final ``ranking`` from its stored inputs and seed through the ranking
    engine and compare: the hash of the inputs with the stored ``input_hash``, the hash of the
    result with that of the stored ``result``. Refused for a ranking that is not final, and
    before the opening. Stored inputs that the engine cannot read count as different."""
    refuse_before_opening(ranking.tender)
    if not ranking.is_final:
        raise ApplicationError(_("Alleen een definitieve ranking kan worden nagerekend."))
    stored_result_hash = engine.document_digest(ranking.result or {})
    if ranking.inputs:
        try:
            inputs = engine.inputs_from_document(ranking.inputs)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return RankingRerun(True, ranking.input_hash, "", stored_result_hash, "")
    else:
        run = ranking_run_inputs(tender=ranking.tender, phase=ranking.phase, seed=ranking.seed)
        # computed before the inputs were stored: its hash is of digest version 1
        inputs = engine.StoredInputs(run.inputs, run.phase, run.seed, run.selection, 1)
    return RankingRerun(
        from_stored_inputs=bool(ranking.inputs),
        stored_input_hash=ranking.input_hash,
        rerun_input_hash=inputs.digest(),
        stored_result_hash=stored_result_hash,
        rerun_result_hash=engine.document_digest(inputs.rank().to_dict()),
    )
