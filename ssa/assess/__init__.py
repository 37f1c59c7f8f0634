"""Assessment: collision probability, covariance, hard-body radius, CCSDS CDMs.

Public surface:

* ``assess(conjunctions, catalog, covariances=None)``: screening rows plus
  ``pc``, ``pc_method``, ``max_prob``, ``dilution_km``, ``covariance_source``,
  ``hbr_m``; ``operator_covariances(paths)`` reads operators' covariances from CDMs.
* ``cdm_from_conjunction(row, catalog) -> Cdm`` and ``pc_from_cdm(cdm)``.
* ``ssa.assess.cdm``: ``read``/``parse``/``write``/``write_kvn``/``write_xml``,
  ``Cdm``, ``CdmError``; ``ssa.assess.risk``: Foster, Chan, max Pc.
"""
from ssa.assess.cdm import Cdm, CdmError
from ssa.assess.pipeline import assess, cdm_from_conjunction, operator_covariances, pc_from_cdm

__all__ = ["Cdm", "CdmError", "assess", "cdm_from_conjunction", "operator_covariances", "pc_from_cdm"]
