"""Detection stage: what else the letters ask space situational awareness to see
(fragmentations and ASAT tests, manoeuvres, re-entries, reconnaissance overflights of
sites, proximity operations near assets), found in catalogue snapshots and element-set
histories and turned into alerts for ssa.respond.

One module per detector; numba kernels in ``kernels.py`` beside plain-numpy
references that the tests hold them to.
"""
