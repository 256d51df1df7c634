from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalForm(models.TextChoices):
    STICHTING = "stichting", _("Stichting")
    BV = "bv", _("BV")
    ZZP = "zzp", _("ZZP")
    VOF = "vof", _("VOF")
    COOPERATIE = "cooperatie", _("Coöperatie")
    COOPERATIE_IO = "cooperatie_io", _("Coöperatie i.o.")
    CONSORTIUM = "consortium", _("Consortium")
    OTHER = "other", _("Anders")


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Concept")
    SEALED = "sealed", _("Ingediend (verzegeld)")
    WITHDRAWN = "withdrawn", _("Ingetrokken")
